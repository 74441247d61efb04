//! Every string the exports write, in German (the default) and English.
//!
//! One table: [`Text::pair`] gives both translations side by side, so a
//! string cannot exist in one language only. The ids it names (sectors,
//! card kinds, note categories, agreement statuses) are the schema's
//! ([`crate::board::schema`]).

use crate::board::schema::{AgreementStatus, CardKind, NoteCategory, Sector};

/// Language of an export: the board's `meta.locale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    De,
    En,
}

impl Locale {
    pub fn from_meta(locale: &str) -> Locale {
        if locale == "en" {
            Locale::En
        } else {
            Locale::De
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::De => "de",
            Locale::En => "en",
        }
    }
}

/// A translatable string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Documentation,
    District,
    Date,
    Agenda,
    Minutes,
    NeedsVerbatim,
    NeedsVerbatimIntro,
    NoCards,
    Summary,
    SummaryIntro,
    Scope,
    ScopeDistrict,
    ScopeOverarching,
    ScopeOpen,
    Votes,
    Sectors,
    Cards,
    LinkedOffers,
    NoneGiven,
    Unsorted,
    Cases,
    FocalPoints,
    WhoWorksHere,
    Nobody,
    FocalPointsUntouched,
    Agreements,
    NoAgreements,
    What,
    Who,
    Due,
    Status,
    ProposedBy,
    Networks,
    Members,
    NetworkMap,
    NetworkMapIntro,
    NetworkLegendEdges,
    ConnectedWith,
    NotConnected,
    ContactList,
    ContactListIntro,
    NoContacts,
    Name,
    Organisation,
    Sector,
    Email,
    Phone,
    Handout,
    HandoutContacts,
    HandoutProcedures,
    HandoutSteering,
    CardText,
    Kind,
    Cluster,
    Group,
    Author,
    // sectors
    SectorStadtteil,
    SectorBehoerde,
    SectorTraeger,
    SectorWirtschaft,
    SectorPolitik,
    SectorUnknown,
    // card kinds
    KindSituation,
    KindNeed,
    KindOffer,
    KindChallenge,
    KindSolution,
    KindNote,
    // legal frameworks
    FrameworkAsylblg,
    FrameworkSgb2,
    FrameworkOther,
    // note categories
    NoteLegal,
    NoteSteering,
    NoteNeeds,
    NoteOffers,
    NotePlanned,
    // agreement status
    StatusProposed,
    StatusConfirmed,
    StatusDone,
    StatusDropped,
    Moderator,
    Page,
    // events
    Programme,
    Time,
    ProgrammeItem,
    Place,
    Venue,
    BoardConference,
    BoardPlenary,
    BoardWorkshop,
    BoardReflection,
    BoardTree,
    // the problem–solution tree and the photos
    TreeIntro,
    WithoutChallenge,
    ParentChallenge,
    Photos,
    Photo,
    // a series' report
    SeriesConference,
    SeriesConferences,
    SeriesParticipants,
    SeriesClusters,
    SeriesMatrix,
    SeriesMatrixIntro,
    SeriesNoTopics,
    SeriesTopic,
    SeriesTopics,
    SeriesDistrictsOf,
    SeriesCityWide,
    SeriesDistricts,
    SeriesNetwork,
    SeriesNetworkIntro,
    SeriesAllAgreements,
    SeriesWhat,
    SeriesText,
}

impl Text {
    /// (German, English).
    pub fn pair(self) -> (&'static str, &'static str) {
        use Text::*;
        match self {
            Documentation => ("Dokumentation", "Documentation"),
            District => ("Stadtteil", "District"),
            Date => ("Datum", "Date"),
            Agenda => ("Ablauf", "Agenda"),
            Minutes => ("Min.", "min"),
            NeedsVerbatim => (
                "Situationen und Bedarfe im Wortlaut",
                "Situations and needs verbatim",
            ),
            NeedsVerbatimIntro => (
                "Alle Karten, wie sie in den Kleingruppen geschrieben wurden.",
                "Every card as the small groups wrote it.",
            ),
            NoCards => ("Keine Karten.", "No cards."),
            Summary => (
                "Zusammenfassung nach Bedarfsgruppen",
                "Summary by need cluster",
            ),
            SummaryIntro => (
                "Die Bedarfsgruppen, wie sie im Plenum gebildet wurden, mit den Bereichen, die den Bedarf teilen.",
                "The need clusters formed in the plenary, with the sectors that share each need.",
            ),
            Scope => ("Bezug", "Scope"),
            ScopeDistrict => ("stadtteilbezogen", "district-specific"),
            ScopeOverarching => ("übergeordnet", "overarching"),
            ScopeOpen => ("noch offen", "not decided"),
            Votes => ("Stimmen", "Votes"),
            Sectors => ("Beteiligte Bereiche", "Contributing sectors"),
            Cards => ("Karten", "Cards"),
            LinkedOffers => ("Vorhandene Angebote", "Existing offers"),
            NoneGiven => ("keine", "none"),
            Unsorted => ("Noch nicht zugeordnet", "Not sorted yet"),
            Cases => ("Fallbeispiele", "Case examples"),
            FocalPoints => ("Bedarfsschwerpunkte", "Focal points"),
            WhoWorksHere => ("Wer hier arbeitet", "Who works here"),
            Nobody => ("niemand", "nobody"),
            FocalPointsUntouched => ("Ohne Eintragungen", "Nobody placed, no notes"),
            Agreements => ("Verabredungen", "Agreements"),
            NoAgreements => ("Keine Verabredungen.", "No agreements."),
            What => ("Was", "What"),
            Who => ("Wer", "Who"),
            Due => ("Bis", "Due"),
            Status => ("Stand", "Status"),
            ProposedBy => ("Eingebracht von", "Proposed by"),
            Networks => ("Netzwerke", "Networks"),
            Members => ("Mitglieder", "Members"),
            NetworkMap => ("Netzwerkkarte", "Network map"),
            NetworkMapIntro => (
                "Wer mit wem verbunden ist: Organisationen (Farbe: Bereich), verbunden durch gemeinsame Schwerpunkte, Bedarfsgruppen und Verabredungen.",
                "Who is connected to whom: organisations (colour: sector), linked by shared focal points, need clusters and agreements.",
            ),
            NetworkLegendEdges => (
                "Linie: gemeinsame Schwerpunkte, Bedarfsgruppen oder Verabredungen",
                "Line: shared focal points, need clusters or agreements",
            ),
            ConnectedWith => ("verbunden mit", "connected with"),
            NotConnected => ("keine Verbindungen", "no connections"),
            ContactList => ("Kontaktliste", "Contact list"),
            ContactListIntro => (
                "Nur Teilnehmende, die der Weitergabe ihrer Kontaktdaten zugestimmt haben.",
                "Only participants who agreed to share their contact details.",
            ),
            NoContacts => (
                "Niemand hat der Weitergabe von Kontaktdaten zugestimmt.",
                "Nobody agreed to share contact details.",
            ),
            Name => ("Name", "Name"),
            Organisation => ("Organisation", "Organisation"),
            Sector => ("Bereich", "Sector"),
            Email => ("E-Mail", "E-mail"),
            Phone => ("Telefon", "Phone"),
            Handout => ("Handreichung der Stadt", "The city's handout"),
            HandoutContacts => ("Ansprechpersonen", "Contact persons"),
            HandoutProcedures => ("Verfahrensabläufe", "Procedures"),
            HandoutSteering => ("Steuerungsinstrumente", "Steering instruments"),
            CardText => ("Text", "Text"),
            Kind => ("Art", "Kind"),
            Cluster => ("Bedarfsgruppe", "Cluster"),
            Group => ("Kleingruppe", "Group"),
            Author => ("Verfasst von", "Author"),
            SectorStadtteil => ("Stadtteil", "District"),
            SectorBehoerde => ("Behörde", "Public authority"),
            SectorTraeger => ("freier Träger", "Independent welfare organisation"),
            SectorWirtschaft => ("Wirtschaft", "Business"),
            SectorPolitik => ("Politik", "Politics"),
            SectorUnknown => ("ohne Angabe", "not given"),
            KindSituation => ("Situation", "Situation"),
            KindNeed => ("Bedarf", "Need"),
            KindOffer => ("Angebot", "Offer"),
            KindChallenge => ("Herausforderung", "Challenge"),
            KindSolution => ("Lösung", "Solution"),
            KindNote => ("Notiz", "Note"),
            FrameworkAsylblg => (
                "Asylbewerberleistungsgesetz",
                "Asylum Seekers' Benefits Act",
            ),
            FrameworkSgb2 => ("SGB II", "Social Code II"),
            FrameworkOther => ("anderer Rechtskreis", "other legal framework"),
            NoteLegal => (
                "Rechtsrahmen und Verfahren",
                "Legal framework and procedures",
            ),
            NoteSteering => ("Steuerungsinstrumente", "Steering instruments"),
            NoteNeeds => ("Weitere Bedarfe", "Further needs"),
            NoteOffers => ("Vorhandene Angebote", "Existing offers"),
            NotePlanned => ("Geplante Angebote", "Planned offers"),
            StatusProposed => ("Vorschlag", "proposal"),
            StatusConfirmed => ("vereinbart", "agreed"),
            StatusDone => ("erledigt", "done"),
            StatusDropped => ("verworfen", "dropped"),
            Moderator => ("Moderation", "Moderation"),
            Page => ("Seite", "Page"),
            Programme => ("Programm", "Programme"),
            Time => ("Zeit", "Time"),
            ProgrammeItem => ("Programmpunkt", "Item"),
            Place => ("Ort", "Place"),
            Venue => ("Veranstaltungsort", "Venue"),
            BoardConference => ("Konferenz", "Conference"),
            BoardPlenary => ("Plenum", "Plenary"),
            BoardWorkshop => ("Workshop", "Workshop"),
            BoardReflection => ("Reflexionsgruppe", "Reflection group"),
            BoardTree => ("Problem-Lösungs-Baum", "Problem–solution tree"),
            TreeIntro => (
                "Die Frage am Stamm, die Herausforderungen als Äste, die Lösungen an ihrer Herausforderung.",
                "The question at the trunk, the challenges as branches, the solutions at their challenge.",
            ),
            WithoutChallenge => ("Ohne Herausforderung", "Without a challenge"),
            ParentChallenge => ("Übergeordnete Herausforderung", "Parent challenge"),
            Photos => ("Fotos", "Photos"),
            Photo => ("Foto", "Photo"),
            SeriesConference => ("Konferenz", "Conference"),
            SeriesConferences => ("Die Konferenzen", "The conferences"),
            SeriesParticipants => ("Teilnehmende", "Participants"),
            SeriesClusters => ("Cluster", "Clusters"),
            SeriesMatrix => ("Themen und Stadtteile", "Topics and districts"),
            SeriesMatrixIntro => (
                "● heißt: das Thema kam in diesem Stadtteil auf; die Zahl zählt die Bedarfe, die dort dazu geschrieben wurden.",
                "● means: the topic came up in this district; the number counts the needs written there about it.",
            ),
            SeriesNoTopics => ("Noch keine Themen verknüpft.", "No topics linked yet."),
            SeriesTopic => ("Thema", "Topic"),
            SeriesTopics => ("Die Themen", "The topics"),
            SeriesDistrictsOf => ("Stadtteile", "Districts"),
            SeriesCityWide => ("stadtweit", "city-wide"),
            SeriesDistricts => ("stadtteilspezifisch", "specific to districts"),
            SeriesNetwork => (
                "Netzwerk über die Stadtteile",
                "Network across the districts",
            ),
            SeriesNetworkIntro => (
                "Organisationen, die in mehreren Stadtteilen mitgearbeitet haben; verbunden, wo sie sich in einem Stadtteil begegnet sind.",
                "Organisations that took part in several districts; linked where they met in a district.",
            ),
            SeriesAllAgreements => (
                "Verabredungen aller Konferenzen",
                "Agreements of every conference",
            ),
            SeriesWhat => ("Art", "Kind"),
            SeriesText => ("Text", "Text"),
        }
    }

    pub fn get(self, locale: Locale) -> &'static str {
        let (de, en) = self.pair();
        match locale {
            Locale::De => de,
            Locale::En => en,
        }
    }
}

/// The name of a sector id (unknown ids have one too).
pub fn sector(id: &str) -> Text {
    match Sector::from_id(id) {
        Some(Sector::Stadtteil) => Text::SectorStadtteil,
        Some(Sector::Behoerde) => Text::SectorBehoerde,
        Some(Sector::Traeger) => Text::SectorTraeger,
        Some(Sector::Wirtschaft) => Text::SectorWirtschaft,
        Some(Sector::Politik) => Text::SectorPolitik,
        None => Text::SectorUnknown,
    }
}

/// The name of a card kind id (an unknown kind is a need).
pub fn card_kind(id: &str) -> Text {
    card_kind_name(CardKind::of_card(id))
}

pub fn card_kind_name(kind: CardKind) -> Text {
    match kind {
        CardKind::Situation => Text::KindSituation,
        CardKind::Need => Text::KindNeed,
        CardKind::Offer => Text::KindOffer,
        CardKind::Challenge => Text::KindChallenge,
        CardKind::Solution => Text::KindSolution,
        CardKind::Note => Text::KindNote,
    }
}

pub fn scope(scope: Option<&str>) -> Text {
    match scope {
        Some("district") => Text::ScopeDistrict,
        Some("overarching") => Text::ScopeOverarching,
        _ => Text::ScopeOpen,
    }
}

pub fn framework(id: &str) -> Text {
    match id {
        "asylblg" => Text::FrameworkAsylblg,
        "sgb2" => Text::FrameworkSgb2,
        _ => Text::FrameworkOther,
    }
}

pub fn note_category(category: NoteCategory) -> Text {
    match category {
        NoteCategory::Legal => Text::NoteLegal,
        NoteCategory::Steering => Text::NoteSteering,
        NoteCategory::Needs => Text::NoteNeeds,
        NoteCategory::Offers => Text::NoteOffers,
        NoteCategory::Planned => Text::NotePlanned,
    }
}

/// The name of an agreement status id (an unknown one is proposed).
pub fn agreement_status(id: &str) -> Text {
    match AgreementStatus::of_agreement(id) {
        AgreementStatus::Proposed => Text::StatusProposed,
        AgreementStatus::Confirmed => Text::StatusConfirmed,
        AgreementStatus::Done => Text::StatusDone,
        AgreementStatus::Dropped => Text::StatusDropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages of the web app (`web/src/i18n/*.ts`): `'key': 'value',` lines.
    fn screen_words(source: &str) -> std::collections::HashMap<&str, &str> {
        source
            .lines()
            .filter_map(|line| {
                let line = line.trim().strip_prefix('\'')?;
                let (key, rest) = line.split_once("': '")?;
                Some((key, rest.strip_suffix("',")?))
            })
            .collect()
    }

    /// What the screen and the documents both name is named alike: a
    /// moderator who set "Bezug: übergeordnet" reads just that in the PDF.
    #[test]
    fn documents_use_the_screens_words() {
        let pairs = [
            (Text::Scope, "moderator.scope"),
            (Text::ScopeDistrict, "scope.district"),
            (Text::ScopeOverarching, "scope.overarching"),
            (Text::ScopeOpen, "scope.none"),
            (Text::Unsorted, "moderator.unsorted"),
            (Text::LinkedOffers, "presenter.offers"),
            (Text::SectorStadtteil, "sector.stadtteil"),
            (Text::SectorBehoerde, "sector.behoerde"),
            (Text::SectorTraeger, "sector.traeger"),
            (Text::SectorWirtschaft, "sector.wirtschaft"),
            (Text::SectorPolitik, "sector.politik"),
            (Text::KindSituation, "kind.situation"),
            (Text::KindNeed, "kind.need"),
            (Text::KindOffer, "kind.offer"),
            (Text::KindChallenge, "kind.challenge"),
            (Text::KindSolution, "kind.solution"),
            (Text::KindNote, "kind.note"),
            (Text::FrameworkOther, "framework.other"),
            (Text::NoteLegal, "noteCategory.legal"),
            (Text::NoteSteering, "noteCategory.steering"),
            (Text::NoteNeeds, "noteCategory.needs"),
            (Text::NoteOffers, "noteCategory.offers"),
            (Text::NotePlanned, "noteCategory.planned"),
            (Text::StatusProposed, "agreementStatus.proposed"),
            (Text::StatusConfirmed, "agreementStatus.confirmed"),
            (Text::StatusDone, "agreementStatus.done"),
            (Text::StatusDropped, "agreementStatus.dropped"),
        ];
        for (locale, source) in [
            (Locale::De, include_str!("../../../web/src/i18n/de.ts")),
            (Locale::En, include_str!("../../../web/src/i18n/en.ts")),
        ] {
            let screen = screen_words(source);
            for (text, key) in pairs {
                assert_eq!(
                    Some(&text.get(locale)),
                    screen.get(key),
                    "{text:?} in {} against the screen's {key}",
                    locale.code()
                );
            }
        }
    }

    #[test]
    fn english_only_when_asked() {
        assert_eq!(Locale::from_meta("en"), Locale::En);
        assert_eq!(Locale::from_meta("fr"), Locale::De);
        assert_eq!(Text::Agreements.get(Locale::De), "Verabredungen");
        assert_eq!(Text::Agreements.get(Locale::En), "Agreements");
    }
}

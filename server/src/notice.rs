//! The privacy notice a phone shows before anyone types (GDPR Art. 13;
//! issue 17): who is responsible, the purpose, the legal basis, what is
//! visible to whom, how long it is kept, the person's rights and the data
//! protection contact. German and English defaults ship here; the server's
//! operator sets their own texts in a TOML file (`--privacy-notice FILE`,
//! `docs/operations.md`, "Privacy notice"), field by field and language by
//! language: what the file leaves out keeps its default.

use serde::Serialize;
use std::path::Path;

/// The notice in one language; every field is plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub controller: String,
    pub purpose: String,
    pub legal_basis: String,
    pub visibility: String,
    pub retention: String,
    pub rights: String,
    pub contact: String,
}

/// The notice in both languages, as `GET /api/notice` sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notices {
    pub de: Notice,
    pub en: Notice,
}

/// The longest text a field of the operator's file may have.
const FIELD_MAX: usize = 4000;

fn defaults_de(retention_days: u32) -> Notice {
    Notice {
        controller: "Verantwortlich ist, wer diesen Kartenwand-Server betreibt. Der Betreiber hat seine Angaben noch nicht eingetragen: Fragen Sie die Moderation.".into(),
        purpose: "Die Konferenz gemeinsam durchführen und dokumentieren: Karten, Cluster, Verabredungen und, nur mit Ihrer Einwilligung, die Kontaktliste der Teilnehmenden.".into(),
        legal_basis: "Ihre Einwilligung (Art. 6 Abs. 1 lit. a DSGVO) für die Kontaktdaten; für alles andere die Wahrnehmung der Aufgabe, zu der die Konferenz einlädt (Art. 6 Abs. 1 lit. e DSGVO).".into(),
        visibility: "Name, Organisation und Bereich sehen alle Teilnehmenden dieser Konferenz. E-Mail und Telefon stehen nur in der Kontaktliste der Dokumentation, und nur, wenn Sie zustimmen.".into(),
        retention: format!("Die Konferenz wird {retention_days} Tage nach ihrem Tag gelöscht, mit allen Karten, Namen und Kontaktdaten, wenn die Moderation keinen anderen Tag wählt."),
        rights: "Sie können Auskunft über Ihre Daten verlangen, sie berichtigen, löschen oder einschränken lassen, sie herunterladen, Ihre Einwilligung jederzeit widerrufen und sich bei einer Datenschutz-Aufsichtsbehörde beschweren.".into(),
        contact: "Der Datenschutzkontakt des Betreibers ist noch nicht eingetragen: Fragen Sie die Moderation.".into(),
    }
}

fn defaults_en(retention_days: u32) -> Notice {
    Notice {
        controller: "Responsible is whoever runs this Kartenwand server. The operator has not entered their details yet: ask the moderation.".into(),
        purpose: "Running and documenting the conference together: cards, clusters, agreements and, only with your consent, the participants' contact list.".into(),
        legal_basis: "Your consent (Art. 6(1)(a) GDPR) for the contact details; for everything else the public task the conference serves (Art. 6(1)(e) GDPR).".into(),
        visibility: "Everyone taking part in this conference sees your name, organisation and sector. E-mail and phone appear only in the documentation's contact list, and only if you agree.".into(),
        retention: format!("The conference is deleted {retention_days} days after its day, with every card, name and contact, unless the moderation chooses another day."),
        rights: "You may ask what is held about you, have it corrected, erased or restricted, download it, withdraw your consent at any time, and complain to a data protection authority.".into(),
        contact: "The operator's data protection contact has not been entered yet: ask the moderation.".into(),
    }
}

impl Notice {
    /// The field of the operator's file named `key`.
    fn field(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "controller" => &mut self.controller,
            "purpose" => &mut self.purpose,
            "legal_basis" => &mut self.legal_basis,
            "visibility" => &mut self.visibility,
            "retention" => &mut self.retention,
            "rights" => &mut self.rights,
            "contact" => &mut self.contact,
            _ => return None,
        })
    }

    fn texts(&self) -> [&String; 7] {
        [
            &self.controller,
            &self.purpose,
            &self.legal_basis,
            &self.visibility,
            &self.retention,
            &self.rights,
            &self.contact,
        ]
    }
}

impl Notices {
    /// The defaults, with `retention_days` in the retention text.
    pub fn defaults(retention_days: u32) -> Notices {
        Notices {
            de: defaults_de(retention_days),
            en: defaults_en(retention_days),
        }
    }

    /// The defaults with the operator's texts from `text` (TOML: a `[de]`
    /// and an `[en]` table of strings) over them.
    pub fn parse(text: &str, retention_days: u32) -> Result<Notices, String> {
        use toml::de::{DeTable, DeValue};
        let table = DeTable::parse(text).map_err(|error| error.message().to_owned())?;
        let mut notices = Notices::defaults(retention_days);
        for (language, value) in table.get_ref() {
            let notice = match language.get_ref().as_ref() {
                "de" => &mut notices.de,
                "en" => &mut notices.en,
                other => return Err(format!("the notice has no language {other:?} (de, en)")),
            };
            let DeValue::Table(fields) = value.get_ref() else {
                return Err(format!("{} must be a table of texts", language.get_ref()));
            };
            for (key, value) in fields {
                let name = key.get_ref().as_ref();
                let Some(field) = notice.field(name) else {
                    return Err(format!("the notice has no field {name:?}"));
                };
                let DeValue::String(text) = value.get_ref() else {
                    return Err(format!("{name} must be a text"));
                };
                let text = text.trim();
                if !text.is_empty() {
                    *field = text.to_owned();
                }
            }
        }
        for notice in [&notices.de, &notices.en] {
            for field in notice.texts() {
                if field.chars().count() > FIELD_MAX {
                    return Err(format!(
                        "a text of the notice has more than {FIELD_MAX} characters"
                    ));
                }
                if !field.chars().all(crate::board::schema::is_text_char) {
                    return Err("a text of the notice holds a control character".into());
                }
            }
        }
        Ok(notices)
    }

    /// The defaults, or the operator's file over them.
    pub fn load(file: Option<&Path>, retention_days: u32) -> anyhow::Result<Notices> {
        let Some(path) = file else {
            return Ok(Notices::defaults(retention_days));
        };
        let text = std::fs::read_to_string(path).map_err(|error| {
            anyhow::anyhow!("cannot read the privacy notice {}: {error}", path.display())
        })?;
        Notices::parse(&text, retention_days).map_err(|error| {
            anyhow::anyhow!(
                "the privacy notice {} is not valid: {error}",
                path.display()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operators_texts_replace_the_defaults_field_by_field() {
        let notices = Notices::parse(
            "[de]\ncontroller = \"Stadt Cottbus, Fachbereich Soziales\"\ncontact = \"datenschutz@cottbus.de\"\n[en]\ncontroller = \"City of Cottbus\"\n",
            30,
        )
        .expect("parses");
        assert_eq!(notices.de.controller, "Stadt Cottbus, Fachbereich Soziales");
        assert_eq!(notices.de.contact, "datenschutz@cottbus.de");
        assert_eq!(notices.en.controller, "City of Cottbus");
        assert_eq!(notices.en.contact, Notices::defaults(30).en.contact);
        assert!(notices.de.retention.contains("30 Tage"));
    }

    #[test]
    fn a_broken_file_is_refused_with_a_reason() {
        for text in [
            "[de]\ncontroler = \"x\"",
            "[fr]\ncontroller = \"x\"",
            "[de\n",
            "[de]\ncontroller = \"a\\u0007b\"",
        ] {
            assert!(Notices::parse(text, 30).is_err(), "{text}");
        }
        let long = format!("[de]\ncontroller = \"{}\"", "x".repeat(FIELD_MAX + 1));
        assert!(Notices::parse(&long, 30).is_err());
    }
}

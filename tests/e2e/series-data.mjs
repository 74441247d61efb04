// The four Cottbus district conferences of the series test
// (../shared/seeds: Ströbitz, Spremberger Vorstadt, Sachsendorf,
// Schmellwitz): each district's clusters with need cards as people write
// them, the same needs worded differently across districts.

export const DISTRICTS = [
  {
    district: 'Ströbitz',
    clusters: [
      ['Sprachkurse', [
        'Es fehlen Deutschkurse mit Kinderbetreuung',
        'Integrationskurs am Vormittag, aber die Kita öffnet erst um neun'
      ]],
      ['Wohnraum', [
        'Zu wenige bezahlbare Wohnungen für große Familien',
        'Wohnungssuche dauert über ein Jahr'
      ]]
    ]
  },
  {
    district: 'Spremberger Vorstadt',
    clusters: [
      ['Kinderbetreuung', [
        'Sprachkurse nur ohne Kita-Plätze möglich',
        'Mütter brechen den Deutschkurs ab, weil niemand die Kinder betreut'
      ]],
      ['Ämter', [
        'Termine beim JC dauern zu lange',
        'Briefe vom Jobcenter versteht niemand'
      ]]
    ]
  },
  {
    district: 'Sachsendorf',
    clusters: [
      ['Wohnungen', [
        'Wohnungsnot bei Großfamilien',
        'Vermieter lehnen Familien mit vielen Kindern ab'
      ]],
      ['Jugend', [
        'Kein Treffpunkt für Jugendliche am Abend',
        'Jugendclub hat nur zweimal die Woche offen'
      ]]
    ]
  },
  {
    district: 'Schmellwitz',
    clusters: [
      ['Deutsch lernen', [
        'Deutschkurs mit Kinderbetreuung fehlt im Stadtteil',
        'Sprachkurs am Abend, wenn die Kinder schlafen'
      ]],
      ['Behördengänge', [
        'Wartezeiten im Jobcenter viel zu lang',
        'Formulare vom Amt versteht man ohne Hilfe nicht'
      ]]
    ]
  }
]

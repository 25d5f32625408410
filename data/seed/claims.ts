import type { LedgerEvent } from '../../events/index.js'

/**
 * The seed as authored: every event of the bundled dataset, in ledger order, from the archived ABC News
 * article of 2016-11-17 (a Thursday). Quotes carry only their `exact` text (plus prefix/suffix when not
 * unique); `scripts/buildSeed.ts` pins them to offsets, gives each event its fixed id and writes the log entries.
 * The article source's `content` and `contentSha256` are filled in from the archived file.
 *
 * `key` names an event for ever: it seeds the event's id, so renaming one changes the seed's root.
 * `coding` is the coder's reasoning for a claim's stances (or for asserting none): every coding is a
 * reading of the article, so every claim keeps one beside it. It stays here, in the source, and never
 * enters the ledger; a summary says only what the words say.
 */
export type SeedEvent = LedgerEvent & { key: string; coding?: string }

export const articleSourceId = 'abcnews-2016-11-17-cities-push-back'

const ARTICLE_DATE = '2016-11-17'
const MONDAY = '2016-11-14'
const TUESDAY = '2016-11-15'
const WEDNESDAY = '2016-11-16'

const articleDated = 'the article, dated 2016-11-17 (a Thursday),'
const latestPossible = `${articleDated} does not date this; the article's date is the latest possible date`

const abcNews = { id: 'abc-news', name: 'ABC News', role: 'third-party' } as const
const trump = { id: 'donald-trump', name: 'Donald Trump' }
const petitioners = {
  id: 'change-org-petitioners',
  name: 'Petitioners on Change.org',
  role: 'third-party',
} as const
const beck = {
  id: 'charlie-beck',
  name: 'Charlie Beck',
  office: 'Chief of Police, Los Angeles Police Department',
}
const lapd = { id: 'los-angeles-police-department', name: 'Los Angeles Police Department' }
const deBlasio = { id: 'bill-de-blasio', name: 'Bill de Blasio', office: 'Mayor of New York City' }
const kenney = { id: 'jim-kenney', name: 'Jim Kenney', office: 'Mayor of Philadelphia' }
const barry = { id: 'megan-barry', name: 'Megan Barry', office: 'Mayor of Nashville' }
const emanuel = { id: 'rahm-emanuel', name: 'Rahm Emanuel', office: 'Mayor of Chicago' }
const murray = { id: 'ed-murray', name: 'Ed Murray', office: 'Mayor of Seattle' }
const oToole = {
  id: 'kathleen-otoole',
  name: 'Kathleen O’Toole',
  office: 'Chief of Police, Seattle Police Department',
}
const bowser = {
  id: 'muriel-bowser',
  name: 'Muriel Bowser',
  office: 'Mayor of the District of Columbia',
}

const kenneyOrder = 'philadelphia-2016-01-ice-detainer-executive-order'

type Jurisdiction = Extract<LedgerEvent, { type: 'JurisdictionRegistered' }>['data']

/** The seven cities of the article, in its order. */
const places: readonly Jurisdiction[] = [
  {
    jurisdictionId: 'us-ca-los-angeles',
    name: 'Los Angeles',
    kind: 'city',
    ocdId: 'ocd-division/country:us/state:ca/place:los_angeles',
    parentId: 'us',
  },
  {
    jurisdictionId: 'us-ny-new-york',
    name: 'New York City',
    kind: 'city',
    ocdId: 'ocd-division/country:us/state:ny/place:new_york',
    parentId: 'us',
  },
  {
    jurisdictionId: 'us-pa-philadelphia',
    name: 'Philadelphia',
    kind: 'city',
    ocdId: 'ocd-division/country:us/state:pa/place:philadelphia',
    parentId: 'us',
  },
  {
    jurisdictionId: 'us-tn-nashville',
    name: 'Nashville',
    kind: 'city',
    ocdId: 'ocd-division/country:us/state:tn/place:nashville',
    parentId: 'us',
  },
  {
    jurisdictionId: 'us-il-chicago',
    name: 'Chicago',
    kind: 'city',
    ocdId: 'ocd-division/country:us/state:il/place:chicago',
    parentId: 'us',
  },
  {
    jurisdictionId: 'us-wa-seattle',
    name: 'Seattle',
    kind: 'city',
    ocdId: 'ocd-division/country:us/state:wa/place:seattle',
    parentId: 'us',
  },
  {
    jurisdictionId: 'us-dc',
    name: 'Washington, D.C.',
    kind: 'district',
    ocdId: 'ocd-division/country:us/district:dc',
    parentId: 'us',
  },
]

/** A source the article reports (an interview, a broadcast, a tweet): no content of its own. */
function reported(
  sourceId: string,
  kind: Extract<LedgerEvent, { type: 'SourceRegistered' }>['data']['kind'],
  title: string,
  publisher: string,
  publishedOn: string,
): SeedEvent {
  return {
    key: `source/${sourceId}`,
    type: 'SourceRegistered',
    data: { sourceId, kind, title, publisher, publishedOn, via: articleSourceId },
  }
}

export const seedEvents: readonly SeedEvent[] = [
  {
    key: `source/${articleSourceId}`,
    type: 'SourceRegistered',
    data: {
      sourceId: articleSourceId,
      kind: 'news-article',
      title:
        "Cities Across US Push Back Against President-Elect Donald Trump's Proposed Immigration Policies",
      publisher: 'ABC News',
      url: 'https://abcnews.go.com/Politics/cities-us-push-back-president-elect-donald-trumps/story?id=43616022',
      publishedOn: ARTICLE_DATE,
    },
  },

  {
    key: 'jurisdiction/us',
    type: 'JurisdictionRegistered',
    data: {
      jurisdictionId: 'us',
      name: 'United States',
      kind: 'federal',
      ocdId: 'ocd-division/country:us',
    },
  },
  ...places.map((data): SeedEvent => ({
    key: `jurisdiction/${data.jurisdictionId}`,
    type: 'JurisdictionRegistered',
    data,
  })),

  // Outlets and documents the article quotes, in the order it quotes them. Where the article does not
  // date a source, publishedOn is the date of what it carries, or the article's date as the latest
  // possible one.
  reported(
    'cbs-60-minutes-trump-interview-2016-11',
    'broadcast',
    '60 Minutes: first television interview with President-elect Donald Trump',
    'CBS News',
    ARTICLE_DATE,
  ),
  reported(
    'latimes-beck-interview-2016-11-14',
    'interview',
    'Interview with LAPD Chief Charlie Beck',
    'Los Angeles Times',
    MONDAY,
  ),
  reported(
    'de-blasio-press-briefing-2016-11-16',
    'other',
    'Mayor Bill de Blasio’s press briefing after meeting President-elect Trump',
    'Office of the Mayor of New York City',
    WEDNESDAY,
  ),
  reported(
    'de-blasio-tweet-2016-11',
    'social-post',
    'Tweet by Mayor Bill de Blasio on his meeting with President-elect Trump',
    'Bill de Blasio on Twitter',
    ARTICLE_DATE,
  ),
  reported(
    'kenney-executive-order-2016-01',
    'executive-order',
    'Mayor Jim Kenney’s executive order on ICE detainer requests',
    'City of Philadelphia, Office of the Mayor',
    '2016-01',
  ),
  reported(
    'wpvi-kenney-2016-11-14',
    'broadcast',
    'WPVI report on Mayor Jim Kenney reaffirming Philadelphia’s immigration stance',
    'WPVI-TV (6abc)',
    MONDAY,
  ),
  reported(
    'philadelphia-mayors-office-guidance-2016-11-17',
    'press-release',
    'Guidance on supporting diversity and inclusion',
    'City of Philadelphia, Office of the Mayor',
    ARTICLE_DATE,
  ),
  reported(
    'barry-statement-2016-11-16',
    'press-release',
    'Statement by Nashville Mayor Megan Barry on immigration enforcement',
    'Office of the Mayor, Metropolitan Government of Nashville and Davidson County',
    WEDNESDAY,
  ),
  reported(
    'wls-emanuel-2016-11-14',
    'broadcast',
    'WLS report on Mayor Rahm Emanuel’s remarks',
    'WLS-TV (ABC7 Chicago)',
    MONDAY,
  ),
  reported(
    'seattle-times-murray-2016-11-16',
    'news-article',
    'The Seattle Times report on Mayor Ed Murray’s remarks to a crowd',
    'The Seattle Times',
    WEDNESDAY,
  ),
  reported(
    'otoole-statement-2016-11-15',
    'press-release',
    'Written statement by Seattle Police Chief Kathleen O’Toole',
    'Seattle Police Department',
    TUESDAY,
  ),
  reported(
    'bowser-tweet-2016-11',
    'social-post',
    'Tweet by Mayor Muriel Bowser on Washington, D.C. as a sanctuary city',
    'Muriel Bowser on Twitter',
    ARTICLE_DATE,
  ),

  // Federal context. None of it is a local jurisdiction's cooperation stance, so no stances are coded.
  {
    key: 'claim/trump-campaign-deportation-force',
    type: 'StatementMade',
    coding: 'A federal enforcement promise, not a local jurisdiction’s cooperation practice: no stances.',
    data: {
      jurisdictionId: 'us',
      actor: { ...trump, office: 'Presidential candidate' },
      on: ARTICLE_DATE,
      dateBasis: `${latestPossible} ('on the campaign trail', which ended with the election on 2016-11-08)`,
      summary:
        'On the campaign trail Trump said he was going to create a "deportation force" and build a "beautiful" ' +
        'wall along the U.S.-Mexico border, and get Mexico to pay for it.',
      quote: {
        exact:
          'On the campaign trail, Trump said he was going to create a "deportation force" and build a "beautiful" wall along the U.S.-Mexico border -- and get Mexico to pay for it.',
      },
      sourceId: articleSourceId,
      stances: [],
    },
  },
  {
    key: 'claim/trump-60-minutes-deport-millions',
    type: 'StatementMade',
    coding: 'A federal plan, not a local cooperation practice: no stances.',
    data: {
      jurisdictionId: 'us',
      actor: { ...trump, office: 'President-elect of the United States' },
      on: ARTICLE_DATE,
      dateBasis: `${latestPossible} (his first television interview as president-elect, so after the election on 2016-11-08)`,
      summary:
        'In his first television interview as president-elect (CBS’ 60 Minutes) Trump said that once he takes ' +
        'office he plans to immediately deport approximately 2 to 3 million undocumented immigrants.',
      quote: {
        exact:
          'Trump said that once he takes office, he plans to immediately deport approximately 2 to 3 million undocumented immigrants',
      },
      sourceId: 'cbs-60-minutes-trump-interview-2016-11',
      stances: [],
    },
  },
  {
    key: 'claim/ice-2015-local-cooperation-program',
    type: 'PolicyEnacted',
    coding:
      'What ICE asks of participating localities, not any jurisdiction’s own cooperation practice, so no ' +
      'stances for the United States. The article does not name the program, so the seed does not either.',
    data: {
      jurisdictionId: 'us',
      actor: {
        id: 'us-immigration-and-customs-enforcement',
        name: 'U.S. Immigration and Customs Enforcement',
      },
      on: '2015',
      dateBasis:
        "the article says 'In summer of 2015'; a season is not a partial date, so year precision",
      summary:
        'In summer 2015 ICE implemented a new program to try to establish a better working relationship with ' +
        'local law enforcement: in cities that participate, ICE requests the transfer of certain convicted ' +
        'undocumented immigrants to federal custody and notification of their release dates from local custody.',
      quote: {
        exact:
          'In summer of 2015, Immigration and Customs Enforcement (ICE) implemented a new program to try to establish a better working relationship with local law enforcement. In cities that participate in the program, ICE will request to transfer certain convicted undocumented immigrants to federal custody, as well as ask for notification of release dates from local law enforcement custody.',
      },
      sourceId: articleSourceId,
      stances: [],
      policyId: 'ice-2015-local-cooperation-program',
      instrument: 'program',
      title:
        'ICE program of transfer and release-notification requests to local law enforcement (summer 2015)',
    },
  },
  {
    key: 'claim/trump-federal-funding-threat',
    type: 'StatementMade',
    coding: 'A federal threat, not a local cooperation practice: no stances.',
    data: {
      jurisdictionId: 'us',
      actor: trump,
      on: ARTICLE_DATE,
      dateBasis: latestPossible,
      summary:
        'The article says refusal to cooperate with federal law enforcement could jeopardize federal funding to ' +
        'state and local governments, something Trump has threatened and will have the power to influence.',
      quote: {
        exact:
          'Refusal to cooperate with federal law enforcement could jeopardize federal funding to state and local governments, something that Trump has threatened and will have the power to influence.',
      },
      sourceId: articleSourceId,
      stances: [],
    },
  },

  // The article's own label for the seven cities it then lists.
  ...places.map(({ jurisdictionId, name }): SeedEvent => ({
    key: `claim/abc-reasserting-${jurisdictionId}`,
    type: 'StatementMade',
    coding:
      'A newspaper’s characterisation (third-party) that names no particular policy, so no stances. It does ' +
      'not say which of the cities it lists are the "so-called \'sanctuary cities\'" of its earlier paragraph.',
    data: {
      jurisdictionId,
      actor: abcNews,
      on: ARTICLE_DATE,
      dateBasis: 'the article’s publication date (2016-11-17)',
      summary:
        `ABC News lists ${name} among "some of the major cities that are reasserting their immigration ` +
        'policies as the new administration is transitioning to power".',
      quote: {
        exact:
          'These are some of the major cities that are reasserting their immigration policies as the new administration is transitioning to power',
      },
      sourceId: articleSourceId,
      stances: [],
    },
  })),

  // Los Angeles
  {
    key: 'claim/beck-2016-11-14-latimes',
    type: 'PolicyReaffirmed',
    coding:
      '"We are not going to work in conjunction with Homeland Security on deportation efforts. That is not ' +
      'our job" is a flat refusal to put LAPD resources into deportation: local_resources prohibited. It is ' +
      'the chief’s stated intent and the article names no rule behind it (so no policyId); it is a ' +
      'reaffirmation because he says the city "will maintain its pro-immigrant policies". "Not ... solely ' +
      'based on somebody’s immigration status" limits enforcement action, not questions, so no status_inquiry.',
    data: {
      jurisdictionId: 'us-ca-los-angeles',
      actor: beck,
      on: MONDAY,
      dateBasis: `${articleDated} says he told the Los Angeles Times 'on Monday'`,
      summary:
        'Chief Beck told the Los Angeles Times that regardless of Trump’s immigration push the city will ' +
        'maintain its pro-immigrant policies: the LAPD will not engage in law enforcement activities solely ' +
        'based on somebody’s immigration status and will not work with Homeland Security on deportation ' +
        'efforts ("That is not our job").',
      quote: {
        exact:
          'I don’t intend on doing anything different,” he told the newspaper. "We are not going to engage in law enforcement activities solely based on somebody’s immigration status. We are not going to work in conjunction with Homeland Security on deportation efforts. That is not our job, nor will I make it our job.',
      },
      sourceId: 'latimes-beck-interview-2016-11-14',
      stances: [{ dimension: 'local_resources', value: 'prohibited' }],
    },
  },
  {
    key: 'claim/lapd-1979-status-inquiry-rule',
    type: 'PolicyEnacted',
    coding:
      'A policy action the report describes in its own words, so the actor is the LAPD (official). The rule ' +
      'bars police action whose objective is discovering a person’s status; the article says "prohibiting", ' +
      'so status_inquiry prohibited, though the rule as described is narrower than a ban on every question ' +
      'about status. The article neither names the rule nor says what kind of order it is: the id and title ' +
      'are built from its words, and the instrument is a directive, the department instructing its officers.',
    data: {
      jurisdictionId: 'us-ca-los-angeles',
      actor: lapd,
      on: '1979',
      dateBasis:
        "the article says 'since 1979, when the LAPD began prohibiting'; year precision as given",
      summary:
        'Since 1979 the LAPD has prohibited officers from initiating police action with the objective of ' +
        'discovering the immigration status of a person.',
      quote: {
        exact:
          'since 1979, when the LAPD began prohibiting officers from initiating police action with the objective of discovering the immigration status of a person',
      },
      sourceId: articleSourceId,
      stances: [{ dimension: 'status_inquiry', value: 'prohibited' }],
      policyId: 'lapd-1979-immigration-status-rule',
      instrument: 'directive',
      title:
        'LAPD rule prohibiting officers from initiating police action to discover a person’s immigration status',
    },
  },

  // New York City
  {
    key: 'claim/de-blasio-2016-11-16-briefing-distrust',
    type: 'StatementMade',
    coding: 'A criticism of federal proposals, not a statement of city policy: no stances.',
    data: {
      jurisdictionId: 'us-ny-new-york',
      actor: deBlasio,
      on: WEDNESDAY,
      dateBasis: `${articleDated} says he met Trump 'on Wednesday' and spoke at a press briefing after the meeting`,
      summary:
        'At a press briefing after meeting Trump, de Blasio said Trump’s proposed initiatives would create a ' +
        'rift between police and the communities they serve around the country, and that the proposals would ' +
        '"show distrust between law enforcement and neighborhoods".',
      quote: {
        exact:
          'show distrust between law enforcement and neighborhoods would be counterproductive.',
      },
      sourceId: 'de-blasio-press-briefing-2016-11-16',
      stances: [],
    },
  },
  {
    key: 'claim/de-blasio-2016-11-16-briefing-protect-residents',
    type: 'StatementMade',
    coding: 'A general commitment that names no cooperation practice: no stances.',
    data: {
      jurisdictionId: 'us-ny-new-york',
      actor: deBlasio,
      on: WEDNESDAY,
      dateBasis: `${articleDated} reports this among his remarks at the press briefing after the meeting 'on Wednesday'`,
      summary:
        'De Blasio said he reiterated to Trump that New York and many other cities will do all they can to ' +
        'protect their residents and to make sure families are not torn apart.',
      quote: {
        exact:
          'I reiterated to him that this city and so many cities around the country will do all we can to protect our residents and to make sure families are not torn apart',
      },
      sourceId: 'de-blasio-press-briefing-2016-11-16',
      stances: [],
    },
  },
  {
    key: 'claim/de-blasio-tweet-city-of-immigrants',
    type: 'StatementMade',
    coding: 'Praise of the city’s immigrant identity, not a declared status or a practice: no stances.',
    data: {
      jurisdictionId: 'us-ny-new-york',
      actor: deBlasio,
      on: ARTICLE_DATE,
      dateBasis: `${latestPossible} (the tweet reports the meeting 'on Wednesday', so it is from 2016-11-16 or 2016-11-17)`,
      summary:
        'In a tweet de Blasio said he told Trump that New York City is the "ultimate city of immigrants" and ' +
        'that attempts to mass deport people "flies in the face of what makes NYC great".',
      quote: {
        exact:
          'New York City is the “ultimate city of immigrants” and that attempts to mass deport people “flies in the face of what makes NYC great.',
      },
      sourceId: 'de-blasio-tweet-2016-11',
      stances: [],
    },
  },
  {
    key: 'claim/de-blasio-idnyc-records',
    type: 'StatementMade',
    coding:
      'Safeguarding, or destroying, the records is read as keeping them from federal authorities: ' +
      'information_sharing restricted, one set of records and not all information. A judgement on stated ' +
      'intent ("would", "if necessary"): the article cites no rule, so a statement (issue 14, item 5).',
    data: {
      jurisdictionId: 'us-ny-new-york',
      actor: deBlasio,
      on: ARTICLE_DATE,
      dateBasis: latestPossible,
      summary:
        'De Blasio said he would safeguard and maybe even destroy New York City identification card records, ' +
        'which contain information on undocumented immigrants, if necessary.',
      quote: {
        exact:
          'he would safeguard and maybe even destroy New York City identification card records, which contain information on undocumented immigrants, if necessary',
      },
      sourceId: articleSourceId,
      stances: [{ dimension: 'information_sharing', value: 'restricted' }],
    },
  },

  // Philadelphia
  {
    key: 'claim/abc-philadelphia-front-and-center',
    type: 'StatementMade',
    coding: 'A newspaper’s characterisation (third-party) that names no policy: no stances.',
    data: {
      jurisdictionId: 'us-pa-philadelphia',
      actor: abcNews,
      on: ARTICLE_DATE,
      dateBasis: 'the article’s publication date (2016-11-17)',
      summary:
        'ABC News describes Philadelphia as front-and-center in the battle between local government and ' +
        'federal immigration authorities.',
      quote: {
        exact:
          'The City of Brotherly Love has been front-and-center in the battle between local government and federal immigration authorities.',
      },
      sourceId: articleSourceId,
      stances: [],
    },
  },
  {
    key: 'claim/kenney-2016-01-executive-order',
    type: 'PolicyEnacted',
    coding:
      '"Restoring the city\'s status as a sanctuary": declared_status sanctuary. Detainer requests declined ' +
      'unless the person "has committed a first- or second-degree felony involving violence": detainer_hold ' +
      'serious_crimes_only; the article quotes no warrant condition, so not a warrant value. "Barring most ' +
      'cooperation between police and ICE", most and not all, is read as local_resources restricted: a ' +
      'judgement, since the article does not say which cooperation remains. The article describes and quotes ' +
      'the order, so the actor is the mayor who signed it.',
    data: {
      jurisdictionId: 'us-pa-philadelphia',
      actor: kenney,
      on: '2016-01',
      dateBasis:
        "the article (dated 2016-11-17) says Kenney signed it 'in January' as one of his first acts as mayor, so January 2016; month precision",
      summary:
        'As one of his first acts as mayor, Kenney signed an executive order in January restoring the city’s ' +
        'status as a sanctuary and barring most cooperation between police and ICE. As the article quotes it, ' +
        'city authorities will not cooperate with ICE detainer requests for people who are arrested and would ' +
        'otherwise have been released from custody, unless the person has committed a first- or second-degree ' +
        'felony involving violence.',
      quote: {
        exact:
          'Jim Kenney signed an executive order in January restoring the city\'s status as a sanctuary and barring most cooperation between police and ICE. The order states that city authorities will not cooperate with ICE detainer requests "for undocumented citizens who are arrested and would have otherwise been released from custody, unless the individual has committed a first- or second-degree felony involving violence."',
      },
      sourceId: 'kenney-executive-order-2016-01',
      stances: [
        { dimension: 'declared_status', value: 'sanctuary' },
        { dimension: 'detainer_hold', value: 'serious_crimes_only' },
        { dimension: 'local_resources', value: 'restricted' },
      ],
      policyId: kenneyOrder,
      instrument: 'executive-order',
      title:
        'Executive order restoring Philadelphia’s sanctuary status and limiting ICE detainer cooperation',
    },
  },
  {
    key: 'claim/kenney-2016-11-14-wpvi-reaffirmation',
    type: 'PolicyReaffirmed',
    coding:
      'He reaffirms "the city\'s stance on immigration", read as the January order (its policyId) and so its ' +
      'declared_status sanctuary. No detainer_hold: "not holding people in jail without a warrant" does not ' +
      'say the order requires a judicial warrant, and the article quotes no such condition in it. Coding one ' +
      'would make a reaffirmation a change of Philadelphia\'s detainer policy on 2016-11-14 (issue 14, item 1); ' +
      'the detainer value stays the order\'s.',
    data: {
      jurisdictionId: 'us-pa-philadelphia',
      actor: kenney,
      on: MONDAY,
      dateBasis: `${articleDated} says 'On Monday'`,
      summary:
        'Kenney reaffirmed the city’s stance on immigration in the wake of Trump’s election, according to ' +
        'WPVI, vowing to uphold the Fourth Amendment "by not holding people in jail without a warrant".',
      quote: {
        exact:
          'I vow to uphold the Fourth Amendment of the United States Constitution, yes, by not holding people in jail without a warrant, which I think is in violation of the U.S. Constitution,',
      },
      sourceId: 'wpvi-kenney-2016-11-14',
      stances: [{ dimension: 'declared_status', value: 'sanctuary' }],
      policyId: kenneyOrder,
    },
  },
  {
    key: 'claim/philadelphia-mayors-office-2016-11-17-guidance',
    type: 'StatementMade',
    coding: 'Support services for immigrants, not a cooperation practice: no stances.',
    data: {
      jurisdictionId: 'us-pa-philadelphia',
      actor: {
        id: 'philadelphia-office-of-the-mayor',
        name: 'Office of the Mayor of Philadelphia',
      },
      on: ARTICLE_DATE,
      dateBasis: `${articleDated} says the mayor’s office issued it 'today'`,
      summary:
        'The mayor’s office issued guidance on "supporting diversity and inclusion", which included a list of ' +
        'resources for immigrants who are afraid of deportation.',
      quote: {
        exact:
          'The mayor’s office today issued guidance on "supporting diversity and inclusion," which included a list of resources for immigrants that are afraid of deportation.',
      },
      sourceId: 'philadelphia-mayors-office-guidance-2016-11-17',
      stances: [],
    },
  },

  // Nashville
  {
    key: 'claim/barry-2016-11-16-local-resources',
    type: 'StatementMade',
    coding:
      'Her stated belief, with no exception, read as local_resources prohibited. It says what should happen, ' +
      'not a rule that makes it so: the article cites none, so a statement (issue 14, item 5).',
    data: {
      jurisdictionId: 'us-tn-nashville',
      actor: barry,
      on: WEDNESDAY,
      dateBasis: `${articleDated} says 'Yesterday'`,
      summary:
        'Mayor Barry issued a statement saying she does not believe that local resources should be used to ' +
        'enforce federal immigration policy.',
      quote: {
        exact:
          'issued a statement saying she does not believe that local resources should be used to enforce federal immigration policy',
      },
      sourceId: 'barry-statement-2016-11-16',
      stances: [{ dimension: 'local_resources', value: 'prohibited' }],
    },
  },
  {
    key: 'claim/barry-2016-11-16-police-do-not-ask',
    type: 'StatementMade',
    coding:
      'A practice she describes ("they do not ask"), read as status_inquiry prohibited within its scope: ' +
      'police stops and conversations with the public; the article says nothing about booking at the jail. ' +
      'It names no rule behind the practice, so a statement.',
    data: {
      jurisdictionId: 'us-tn-nashville',
      actor: barry,
      on: WEDNESDAY,
      dateBasis: `${articleDated} quotes this after the statement she issued 'Yesterday'`,
      summary:
        'Barry said Nashville’s police officers are not immigration police: they do not ask about immigration ' +
        'status during stops or conversations with the public, nor do they intend to start.',
      quote: {
        exact:
          'Our police officers are not immigration police, they do not ask about immigration status during stops or conversations with the public, nor do they intend to start now,',
      },
      sourceId: 'barry-statement-2016-11-16',
      stances: [{ dimension: 'status_inquiry', value: 'prohibited' }],
    },
  },
  {
    key: 'claim/barry-2016-11-16-welcoming-city',
    type: 'StatementMade',
    coding:
      'She calls Nashville welcoming, not a sanctuary: declared_status welcoming. A judgement: "warm and ' +
      'welcoming city" describes the city more than it declares a status, and the article names no resolution.',
    data: {
      jurisdictionId: 'us-tn-nashville',
      actor: barry,
      on: WEDNESDAY,
      dateBasis: `${articleDated} reports this with the statement she issued 'Yesterday'`,
      summary:
        'Barry said she would do whatever she can to ensure that Nashville remains a "warm and welcoming city" ' +
        'for all.',
      quote: {
        exact:
          'She said she would do whatever she can to ensure that Nashville remains a "warm and welcoming city" for all.',
      },
      sourceId: 'barry-statement-2016-11-16',
      stances: [{ dimension: 'declared_status', value: 'welcoming' }],
    },
  },

  // Chicago
  {
    key: 'claim/emanuel-2016-11-14-sanctuary-city',
    type: 'PolicyReaffirmed',
    coding:
      '"Always will be a sanctuary city" says it is one and will stay one: a reaffirmed declared_status ' +
      'sanctuary, with no policyId because the article names no policy. The article reports this line itself ' +
      'and attributes only the next quote to WLS, so it cites the article (issue 14, item 3).',
    data: {
      jurisdictionId: 'us-il-chicago',
      actor: emanuel,
      on: MONDAY,
      dateBasis: `${articleDated} says 'On Monday'`,
      summary: 'Emanuel said that Chicago "always will be a sanctuary city".',
      quote: { exact: 'always will be a sanctuary city.' },
      sourceId: articleSourceId,
      stances: [{ dimension: 'declared_status', value: 'sanctuary' }],
    },
  },
  {
    key: 'claim/emanuel-2016-11-14-safe-in-chicago',
    type: 'StatementMade',
    coding: 'A reassurance that names no practice: no stances.',
    data: {
      jurisdictionId: 'us-il-chicago',
      actor: emanuel,
      on: MONDAY,
      dateBasis: `${articleDated} reports this with his remarks 'On Monday'`,
      summary:
        'Emanuel said, according to WLS, "You are safe in Chicago. You are secure in Chicago and you are ' +
        'supported in Chicago."',
      quote: {
        exact:
          'You are safe in Chicago. You are secure in Chicago and you are supported in Chicago,',
      },
      sourceId: 'wls-emanuel-2016-11-14',
      stances: [],
    },
  },

  // Seattle
  {
    key: 'claim/murray-2016-11-16-remain-sanctuary',
    type: 'PolicyReaffirmed',
    coding:
      '"Will remain a sanctuary" says it is one and will stay one: a reaffirmed declared_status sanctuary, ' +
      'with no policyId because the article names no policy.',
    data: {
      jurisdictionId: 'us-wa-seattle',
      actor: murray,
      on: WEDNESDAY,
      dateBasis: `${articleDated} says 'Wednesday night'`,
      summary:
        'Murray told a crowd on Wednesday night that the city will remain a sanctuary for undocumented ' +
        'immigrants, The Seattle Times reported.',
      quote: {
        exact:
          'Mayor Ed Murray told a crowd Wednesday night that the city will remain a sanctuary for undocumented immigrants',
      },
      sourceId: 'seattle-times-murray-2016-11-16',
      stances: [{ dimension: 'declared_status', value: 'sanctuary' }],
    },
  },
  {
    key: 'claim/murray-2016-11-16-our-neighbors',
    type: 'StatementMade',
    coding: 'Support and unity, naming no cooperation practice: no stances.',
    data: {
      jurisdictionId: 'us-wa-seattle',
      actor: murray,
      on: WEDNESDAY,
      dateBasis: `${articleDated} quotes this from his remarks 'Wednesday night'`,
      summary:
        'Murray said "These are our neighbors, and we will continue to support our neighbors" and that "We can’t ' +
        'allow ourselves to be divided and sorted out".',
      quote: {
        exact:
          'These are our neighbors, and we will continue to support our neighbors,” Murray said. "We can’t allow ourselves to be divided and sorted out. That’s not America.',
      },
      sourceId: 'seattle-times-murray-2016-11-16',
      stances: [],
    },
  },

  {
    key: 'claim/otoole-2016-11-15-policies-unchanged',
    type: 'PolicyReaffirmed',
    coding:
      'A reaffirmation of the department’s policies, which the article does not describe, so no stances and ' +
      'no policyId.',
    data: {
      jurisdictionId: 'us-wa-seattle',
      actor: oToole,
      on: TUESDAY,
      dateBasis: `${articleDated} says 'on Tuesday'`,
      summary:
        'Chief O’Toole confirmed in a written statement that the Seattle Police Department’s policies regarding ' +
        'immigration status will not change ("to foster trust and cooperation with all people served").',
      quote: {
        exact:
          'Police Chief Kathleen O’Toole confirmed that the policies of the Seattle Police Department regarding immigration status will not change.',
      },
      sourceId: 'otoole-statement-2016-11-15',
      stances: [],
    },
  },
  // Washington, D.C.
  {
    key: 'claim/bowser-tweet-remain-sanctuary',
    type: 'PolicyReaffirmed',
    coding:
      '"Remain a sanctuary city" says it is one and will stay one: a reaffirmed declared_status sanctuary, ' +
      'with no policyId because the article names no policy.',
    data: {
      jurisdictionId: 'us-dc',
      actor: bowser,
      on: ARTICLE_DATE,
      dateBasis: latestPossible,
      summary: 'In a tweet Bowser said the city will "remain a sanctuary city".',
      quote: { exact: 'remain a sanctuary city.' },
      sourceId: 'bowser-tweet-2016-11',
      stances: [{ dimension: 'declared_status', value: 'sanctuary' }],
    },
  },

  // Passages first left unrecorded (issue 14), in the article's order. They come after everything above
  // so that every earlier event keeps its position: answers pinned to a position of the seed
  // (knownAt=<n>) keep meaning the same prefix of events.
  {
    key: 'claim/change-org-petitions-since-election-day',
    type: 'StatementMade',
    coding:
      'Demands by petitioners (third-party) on cities, universities or states it does not name: filed under ' +
      'the United States, and no stances, since no jurisdiction’s practice is named.',
    data: {
      jurisdictionId: 'us',
      actor: petitioners,
      on: ARTICLE_DATE,
      dateBasis: `${articleDated} counts the petitions posted 'since Election Day' (2016-11-08); the article's date is the latest possible date`,
      summary:
        'Twenty-one petitions posted on Change.org since Election Day demand that cities, universities or ' +
        'states provide sanctuary to undocumented people.',
      quote: {
        exact:
          'Twenty-one petitions have been posted on Change.org since Election Day demanding that cities, universities or states provide sanctuary to undocumented people.',
      },
      sourceId: articleSourceId,
      stances: [],
    },
  },
  {
    key: 'claim/abc-so-called-sanctuary-cities',
    type: 'StatementMade',
    coding:
      'The newspaper’s own characterisation (third-party). It says "many of" the cities pushing back are ' +
      'so-called sanctuary cities without saying which, so no city gets a stance from it (coding each listed ' +
      'city would say more than the article: Nashville’s mayor calls it "welcoming"). Filed under the United ' +
      'States, whose local governments it describes, with no stances: declared_status sanctuary would be ' +
      'wrong for the United States itself.',
    data: {
      jurisdictionId: 'us',
      actor: abcNews,
      on: ARTICLE_DATE,
      dateBasis: 'the article’s publication date (2016-11-17)',
      summary:
        'ABC News says many of the cities that are pushing back have Democratic leadership and are already ' +
        'so-called "sanctuary cities", which generally means that they have in place some type of policy that ' +
        'discourages full cooperation with federal immigration authorities.',
      quote: {
        exact:
          'Many of the cities that are pushing back have Democratic leadership and are already so-called "sanctuary cities," which generally means that they have in place some type of policy that discourages full cooperation with federal immigration authorities.',
      },
      sourceId: articleSourceId,
      stances: [],
    },
  },
  {
    key: 'claim/abc-obama-deportations-local-governments-balked',
    type: 'StatementMade',
    coding:
      'The newspaper’s own account (third-party) of federal deportations and of local governments it does not ' +
      'name: no jurisdiction’s practice is named, so no stances.',
    data: {
      jurisdictionId: 'us',
      actor: abcNews,
      on: ARTICLE_DATE,
      dateBasis: 'the article’s publication date (2016-11-17)',
      summary:
        'ABC News says more people were deported under President Barack Obama than under any previous ' +
        'administration, and that for years many local governments balked at the administration’s deportation ' +
        'efforts.',
      quote: {
        exact:
          "More people were deported under President Barack Obama than any previous administration, and for years, many local governments balked at the administration's deportation efforts.",
      },
      sourceId: articleSourceId,
      stances: [],
    },
  },
  {
    key: 'claim/de-blasio-2016-11-16-meeting-trump',
    type: 'StatementMade',
    coding: 'A meeting to share concerns names no cooperation practice: no stances.',
    data: {
      jurisdictionId: 'us-ny-new-york',
      actor: deBlasio,
      on: WEDNESDAY,
      dateBasis: `${articleDated} says he met with Trump 'on Wednesday'`,
      summary:
        'De Blasio met with Trump to share a number of concerns, including about Trump’s proposed immigration ' +
        'policies.',
      quote: {
        exact:
          "Mayor Bill De Blasio met with Trump on Wednesday to share a number of concerns, including regaring Trump's proposed immigration policies.",
      },
      sourceId: articleSourceId,
      stances: [],
    },
  },
]

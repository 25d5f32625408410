/**
 * The benchmark's synthetic ledger: seeded and reproducible (its own PRNG, never Math.random), written as
 * log entry lines (RFC 8785 canonical JSON of `{ id, stream, type, data, metadata }` via `entryOf`, with a
 * fixed, non-decreasing `recordedAt`), streamed to `bench/data/<name>.ndjson` so a million events never
 * sit in memory as strings. A file is reused while its sidecar `<name>.meta.json` names the same
 * generator version, seed and shape.
 *
 * The ledger it writes is one the service accepts: jurisdictions (federal, states, counties, cities, with
 * parents) and sources are registered before anything cites them, quotes are pinned inside archived
 * content (UTF-16 offsets, sometimes prefix/suffix) along `via` chains, policies are enacted before they
 * are amended, and corrections and retractions target standing claims of their own jurisdiction.
 *
 * Bump GENERATOR_VERSION whenever the output for a given seed changes.
 */
import { createHash } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import {
  dimensions,
  streamOf,
  taxonomy,
  UNKNOWN,
  type Actor,
  type ClaimChanges,
  type ClaimType,
  type LedgerEvent,
  type Quote,
  type Stance,
} from '../events/index.js'
import { entryOf } from '../src/log/entry.js'
import { sha256Hex } from '../src/sha256Hex.js'

export const GENERATOR_VERSION = 1
export const DEFAULT_SEED = 20_161_117

// ---------------------------------------------------------------------------------------------------
// randomness

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
export class Random {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let x = this.state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296
  }

  /** 0 <= n < max */
  int(max: number): number {
    return Math.floor(this.next() * max)
  }

  /** lo <= n <= hi */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[this.int(items.length)] as T
  }

  weighted<T>(table: ReadonlyArray<readonly [T, number]>): T {
    let total = 0
    for (const [, weight] of table) total += weight
    let at = this.next() * total
    for (const [item, weight] of table) {
      at -= weight
      if (at < 0) return item
    }
    return table[table.length - 1]![0]
  }

  /** An RFC 9562 version-4 uuid from this generator's stream. */
  uuid(): string {
    const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0')
    const a = hex(this.next() * 4_294_967_296)
    const b = hex(this.next() * 4_294_967_296)
    const c = hex(this.next() * 4_294_967_296)
    const d = hex(this.next() * 4_294_967_296)
    const variant = ((parseInt(c[0]!, 16) & 0x3) | 0x8).toString(16)
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`
  }
}

// ---------------------------------------------------------------------------------------------------
// dates (day numbers since 1970-01-01)

export const DAY_MS = 86_400_000
export const FIRST_DAY = Date.UTC(1979, 0, 1) / DAY_MS
export const LAST_DAY = Date.UTC(2025, 11, 31) / DAY_MS

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** A partial date at day, month (18%) or year (10%) precision. */
function partialDate(random: Random, day: number): string {
  const full = isoDay(day)
  const precision = random.weighted([
    ['day', 72],
    ['month', 18],
    ['year', 10],
  ] as const)
  return precision === 'day' ? full : precision === 'month' ? full.slice(0, 7) : full.slice(0, 4)
}

// ---------------------------------------------------------------------------------------------------
// names

const STATE_CODES = [
  'al', 'ak', 'az', 'ar', 'ca', 'co', 'ct', 'de', 'fl', 'ga', 'hi', 'id', 'il', 'in', 'ia', 'ks', 'ky',
  'la', 'me', 'md', 'ma', 'mi', 'mn', 'ms', 'mo', 'mt', 'ne', 'nv', 'nh', 'nj', 'nm', 'ny', 'nc', 'nd',
  'oh', 'ok', 'or', 'pa', 'ri', 'sc', 'sd', 'tn', 'tx', 'ut', 'vt', 'va', 'wa', 'wv', 'wi', 'wy',
] as const

const PLACE_HEADS = [
  'Ash', 'Bel', 'Cedar', 'Clear', 'Dun', 'East', 'Fair', 'Glen', 'Green', 'Har', 'High', 'Lake', 'Maple',
  'Mill', 'New', 'North', 'Oak', 'Park', 'River', 'Rock', 'Spring', 'Stone', 'Sun', 'West', 'Wood',
  'Brook', 'Elm', 'Fox', 'Gold', 'Iron', 'Cañon', 'Españo', 'Bay', 'Red', 'Silver',
]
const PLACE_TAILS = [
  'ford', 'field', 'ton', 'ville', 'wood', 'port', 'dale', 'burg', 'haven', ' Falls', ' Springs',
  ' Heights', 'mont', 'view', 'ridge', 'la', ' City',
]
const FIRST_NAMES = [
  'Ana', 'Ben', 'Carmen', 'David', 'Elena', 'Frank', 'Grace', 'Hector', 'Ines', 'James', 'Kim', 'Luis',
  'Maria', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tomás', 'Uma', 'Victor', 'Wen', 'Yusuf', 'Zoë',
]
const LAST_NAMES = [
  'Abbott', 'Baker', 'Castillo', 'Dvořák', 'Evans', 'Fischer', 'García', 'Hughes', 'Ito', 'Jensen',
  'Kowalski', 'López', 'Murphy', 'Nguyen', "O'Brien", 'Patel', 'Quintero', 'Rossi', 'Santos', 'Tanaka',
  'Underwood', 'Vargas', 'Walsh', 'Young', 'Zhang',
]
const PUBLISHERS = [
  'The Daily Courier', 'Metro Public Radio', 'Channel 7 News', 'The Evening Ledger', 'Statehouse Wire',
  'El Diario del Valle', 'The Tribune', 'City Hall Reporter',
]

/** Lower-case words joined by hyphens, ASCII only. */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

// ---------------------------------------------------------------------------------------------------
// the world the generator keeps while it writes

type Kind = 'federal' | 'state' | 'county' | 'city'

interface Office {
  title: string
  /** A body (a department, a council) speaks as itself; a person holds the office for a while. */
  body: boolean
  holder: Actor
}

interface RecentClaim {
  id: string
  type: ClaimType
}

interface Jurisdiction {
  id: string
  name: string
  kind: Kind
  ocdId: string
  parentId?: string
  weight: number
  cursorDay: number
  /** Current value index per dimension, drifting over time. */
  values: number[]
  offices: Office[]
  policies: string[]
  policyCount: number
  /** The last claims that stand (not retracted): targets for corrections and retractions. */
  recent: RecentClaim[]
  claims: number
}

interface PinnedQuote {
  exact: string
  start: number
  prefix: string
  suffix: string
  /** `exact` occurs once in the content, so a selector alone finds it. */
  unique: boolean
}

interface Source {
  id: string
  /** Quotes pinned in the first content along the via chain; empty when there is none. */
  quotes: PinnedQuote[]
  hasContent: boolean
}

interface EventOut {
  id: string
  event: LedgerEvent
}

const THIRD_PARTIES: Actor[] = [
  { id: 'us-department-of-justice-oig', name: 'U.S. Department of Justice, Office of the Inspector General', role: 'third-party' },
  { id: 'center-for-immigration-studies', name: 'Center for Immigration Studies', role: 'third-party' },
  { id: 'ice-declined-detainer-outcome-report', name: 'ICE Declined Detainer Outcome Report', role: 'third-party' },
  { id: 'the-daily-courier', name: 'The Daily Courier', role: 'third-party' },
]

const DIMENSION_WEIGHTS: Record<string, number> = {
  declared_status: 3,
  detainer_hold: 3,
  release_notification: 2,
}

const INSTRUMENTS: Record<Kind, Array<readonly [string, string]>> = {
  federal: [['directive', 'dir'], ['program', 'prog']],
  state: [['statute', 'stat'], ['executive-order', 'eo'], ['court-order', 'co']],
  county: [['ordinance', 'ord'], ['resolution', 'res'], ['directive', 'dir']],
  city: [['executive-order', 'eo'], ['ordinance', 'ord'], ['special-order', 'so'], ['resolution', 'res']],
}

const SOURCE_KINDS = [
  ['news-article', 45],
  ['press-release', 15],
  ['executive-order', 6],
  ['ordinance', 6],
  ['court-ruling', 4],
  ['social-post', 10],
  ['interview', 8],
  ['broadcast', 4],
  ['statute', 2],
] as const

const VIA_KINDS = new Set(['social-post', 'interview', 'broadcast'])
const CONTENT_KINDS = new Set(['news-article', 'press-release', 'executive-order', 'ordinance', 'court-ruling', 'statute'])

const POLICY_CHANGES: readonly ClaimType[] = ['PolicyAmended', 'PolicyRescinded', 'PolicyEnjoined']

/** Everything the generator needs to remember: ids and small facts, never an event's JSON. */
class World {
  readonly jurisdictions: Jurisdiction[] = []
  private readonly byId = new Map<string, Jurisdiction>()
  readonly sources: Source[] = []
  /** Recently registered sources: what new claims cite. */
  private readonly recentSources: Source[] = []
  /** Recent sources with content: what interviews and broadcasts are reported `via`. */
  private readonly recentContent: Source[] = []
  private readonly usedSlugs = new Set<string>()
  private personCount = 0
  private sourceCount = 0
  private totalWeight = 0
  private cumulative: number[] = []

  constructor(readonly random: Random) {}

  private uniqueSlug(base: string): string {
    let slug = base
    for (let n = 2; this.usedSlugs.has(slug); n += 1) slug = `${base}-${n}`
    this.usedSlugs.add(slug)
    return slug
  }

  private placeName(): string {
    return `${this.random.pick(PLACE_HEADS)}${this.random.pick(PLACE_TAILS)}`
  }

  private person(office: string): Actor {
    this.personCount += 1
    const name = `${this.random.pick(FIRST_NAMES)} ${this.random.pick(LAST_NAMES)}`
    return { id: this.uniqueSlug(slugify(name)), name, office }
  }

  private officesFor(kind: Kind, name: string, id: string): Office[] {
    const titles: Array<[string, boolean]> =
      kind === 'federal'
        ? [['President', false], ['Attorney General', false], ['Department of Homeland Security', true]]
        : kind === 'state'
          ? [['Governor', false], ['Attorney General', false], ['State Legislature', true]]
          : kind === 'county'
            ? [['Sheriff', false], ['Board of Supervisors', true], ['County Executive', false]]
            : [['Mayor', false], ['Chief of Police', false], ['Police Department', true], ['City Council', true]]
    return titles.map(([title, body]) => ({
      title,
      body,
      holder: body
        ? { id: `${id}-${slugify(title)}`, name: `${name} ${title}` }
        : this.person(`${title} of ${name}`),
    }))
  }

  addJurisdiction(kind: Kind, parent: Jurisdiction | undefined, weight: number): Jurisdiction {
    let id: string
    let name: string
    let ocdId: string
    if (kind === 'federal') {
      id = this.uniqueSlug('us')
      name = 'United States'
      ocdId = 'ocd-division/country:us'
    } else if (kind === 'state') {
      const code = STATE_CODES[this.jurisdictions.filter((j) => j.kind === 'state').length % STATE_CODES.length]!
      id = this.uniqueSlug(`us-${code}`)
      name = `State of ${code.toUpperCase()}`
      ocdId = `ocd-division/country:us/state:${id.slice(3).replaceAll('-', '_')}`
    } else {
      const place = this.placeName()
      name = kind === 'county' ? `${place} County` : place
      const stateId = parent!.kind === 'state' ? parent!.id : parent!.parentId!
      id = this.uniqueSlug(`${stateId}-${slugify(name)}`)
      const state = this.byId.get(stateId)!
      ocdId = `${state.ocdId}/${kind === 'county' ? 'county' : 'place'}:${id.slice(stateId.length + 1).replaceAll('-', '_')}`
    }
    const jurisdiction: Jurisdiction = {
      id,
      name,
      kind,
      ocdId,
      ...(parent === undefined ? {} : { parentId: parent.id }),
      weight,
      cursorDay: this.random.between(FIRST_DAY, Date.UTC(2012, 0, 1) / DAY_MS),
      values: dimensions.map((d) => this.random.int(taxonomy.dimensions[d]!.length)),
      offices: this.officesFor(kind, name, id),
      policies: [],
      policyCount: 0,
      recent: [],
      claims: 0,
    }
    this.jurisdictions.push(jurisdiction)
    this.byId.set(id, jurisdiction)
    return jurisdiction
  }

  registration(j: Jurisdiction): EventOut {
    return {
      id: this.random.uuid(),
      event: {
        type: 'JurisdictionRegistered',
        data: { jurisdictionId: j.id, name: j.name, kind: j.kind, ocdId: j.ocdId, ...(j.parentId === undefined ? {} : { parentId: j.parentId }) },
      },
    }
  }

  /** Weighted choice of the jurisdiction a claim is about (a few big ones get most of the coverage). */
  pickJurisdiction(): Jurisdiction {
    if (this.cumulative.length !== this.jurisdictions.length) {
      this.cumulative = []
      this.totalWeight = 0
      for (const j of this.jurisdictions) {
        this.totalWeight += j.weight
        this.cumulative.push(this.totalWeight)
      }
    }
    const at = this.random.next() * this.totalWeight
    let lo = 0
    let hi = this.cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.cumulative[mid]! > at) hi = mid
      else lo = mid + 1
    }
    return this.jurisdictions[lo]!
  }

  // -- sources -------------------------------------------------------------------------------------

  /** Registers a source about `j`: archived content with quotes, or reported via an article that has it. */
  newSource(j: Jurisdiction): EventOut {
    this.sourceCount += 1
    const random = this.random
    const kind = random.weighted(SOURCE_KINDS)
    const day = Math.min(LAST_DAY, j.cursorDay + random.between(0, 20))
    const publisher = kind === 'news-article' || kind === 'broadcast' || kind === 'interview' ? random.pick(PUBLISHERS) : j.name
    const title = `${j.name}: ${random.pick(['officials weigh', 'council debates', 'mayor defends', 'sheriff revisits', 'leaders respond to', 'residents question'])} ${random.pick(['detainer requests', 'sanctuary status', 'ICE access to jails', 'information sharing', 'the 287(g) agreement', 'release notifications'])}`
    const sourceId = `${slugify(publisher).slice(0, 40).replace(/-+$/, '')}-${isoDay(day)}-${this.sourceCount}`
    const data: Record<string, unknown> = {
      sourceId,
      kind,
      title,
      publisher,
      publishedOn: partialDate(random, day),
    }
    if (random.chance(0.8)) data.url = `https://${slugify(publisher).slice(0, 30)}.example.org/${isoDay(day).replaceAll('-', '/')}/${sourceId}`
    if (random.chance(0.4)) data.retrievedAt = `${isoDay(Math.min(LAST_DAY + 300, day + random.between(0, 900)))}T${String(random.int(24)).padStart(2, '0')}:15:00${random.chance(0.5) ? 'Z' : '-05:00'}`
    let source: Source
    if (CONTENT_KINDS.has(kind) && random.chance(0.3)) {
      const { content, quotes } = this.article(j, title, publisher, isoDay(day))
      data.content = content
      data.contentSha256 = sha256Hex(content)
      source = { id: sourceId, quotes, hasContent: true }
      this.recentContent.push(source)
      if (this.recentContent.length > 32) this.recentContent.shift()
    } else if (VIA_KINDS.has(kind) && this.recentContent.length > 0 && random.chance(0.6)) {
      const via = random.pick(this.recentContent)
      data.via = via.id
      source = { id: sourceId, quotes: via.quotes, hasContent: false }
    } else {
      source = { id: sourceId, quotes: [], hasContent: false }
    }
    this.sources.push(source)
    this.recentSources.push(source)
    if (this.recentSources.length > 64) this.recentSources.shift()
    return { id: random.uuid(), event: { type: 'SourceRegistered', data } as LedgerEvent }
  }

  /** A few kilobytes of news prose with quotes in curly marks, and where each quote sits. */
  private article(j: Jurisdiction, title: string, publisher: string, day: string): { content: string; quotes: PinnedQuote[] } {
    const random = this.random
    let content = `${title}\n\nBy ${publisher}\n${day}\n\n`
    const spans: Array<{ start: number; exact: string }> = []
    const paragraphs = random.between(4, 12)
    for (let p = 0; p < paragraphs; p += 1) {
      const sentences = random.between(2, 5)
      for (let s = 0; s < sentences; s += 1) {
        if (random.chance(0.35)) {
          const office = random.pick(j.offices)
          const exact = `${random.pick(['We are not going to', 'This city will not', 'Our officers will not', 'We will continue to', 'Nobody should', 'The county does not intend to'])} ${random.pick(['hold anyone for ICE without a judicial warrant', 'ask about immigration status', 'change what we have done since 1979', 'share release dates with federal agents', 'spend local money on federal deportations', 'cooperate with every detainer request', 'treat our residents differently'])}${random.chance(0.3) ? ` — not now, not in ${day.slice(0, 4)}` : ''}${random.chance(0.5) ? `, and ${j.name} won’t either` : ''}`
          content += '“'
          spans.push({ start: content.length, exact })
          content += `${exact},” ${office.holder.name} said. `
        } else {
          content += `${random.pick(['Officials in', 'Advocates in', 'Critics of the policy in', 'Residents of'])} ${j.name} ${random.pick(['said the rules have not changed', 'pointed to a 2014 ordinance', 'cited a court ruling on detainers', 'called the decision overdue', 'asked the council for a vote'])} ${random.pick(['on Monday', 'last week', 'this spring', 'in a statement', 'at a press conference'])}. `
        }
      }
      content += '\n\n'
    }
    const quotes = spans.map(({ start, exact }) => ({
      exact,
      start,
      prefix: content.slice(Math.max(0, start - 14), start),
      suffix: content.slice(start + exact.length, start + exact.length + 12),
      unique: content.indexOf(exact) === content.lastIndexOf(exact),
    }))
    return { content, quotes }
  }

  citedSource(j: Jurisdiction, out: EventOut[]): Source {
    if (this.recentSources.length === 0 || this.random.chance(0.06)) out.push(this.newSource(j))
    return this.random.pick(this.recentSources)
  }

  /** A source with no content along its via chain: appended claims cite these without quotes. */
  plainSources(count: number): string[] {
    return this.sources.filter((s) => s.quotes.length === 0 && !s.hasContent).slice(-count).map((s) => s.id)
  }

  // -- claims --------------------------------------------------------------------------------------

  private stances(j: Jurisdiction, allowUnknown: boolean): Stance[] {
    const random = this.random
    const count = random.weighted([
      [0, 5],
      [1, 50],
      [2, 30],
      [3, 15],
    ] as const)
    const chosen = new Set<string>()
    const table = dimensions.map((d) => [d, DIMENSION_WEIGHTS[d] ?? 1] as const)
    while (chosen.size < count) chosen.add(random.weighted(table))
    return [...chosen].map((dimension) => {
      const index = dimensions.indexOf(dimension)
      const values = taxonomy.dimensions[dimension]!
      if (allowUnknown && random.chance(0.3)) return { dimension, value: UNKNOWN }
      if (random.chance(0.2)) {
        j.values[index] = Math.max(0, Math.min(values.length - 1, j.values[index]! + (random.chance(0.5) ? 1 : -1)))
      }
      return { dimension, value: values[j.values[index]!]! }
    })
  }

  /** Forward from the jurisdiction's cursor mostly; sometimes a claim about the past, recorded now. */
  private claimDay(j: Jurisdiction): number {
    const random = this.random
    if (random.chance(0.15)) return random.between(FIRST_DAY, j.cursorDay)
    j.cursorDay += random.between(0, 45)
    if (j.cursorDay > LAST_DAY) j.cursorDay = random.between(FIRST_DAY, LAST_DAY)
    return j.cursorDay
  }

  private quoteFrom(source: Source): Quote | undefined {
    const random = this.random
    if (source.quotes.length === 0 || !random.chance(0.5)) return undefined
    const pinned = random.pick(source.quotes)
    const end = pinned.start + pinned.exact.length
    const style = random.weighted([
      ['offsets', 60],
      ['context', 25],
      ['selector', 15],
    ] as const)
    if (style === 'offsets' || (style === 'selector' && !pinned.unique)) return { exact: pinned.exact, start: pinned.start, end }
    if (style === 'context') return { exact: pinned.exact, prefix: pinned.prefix, suffix: pinned.suffix, start: pinned.start, end }
    return { exact: pinned.exact }
  }

  claim(j: Jurisdiction, out: EventOut[], forcedType?: ClaimType): void {
    const random = this.random
    const source = this.citedSource(j, out)
    let type: ClaimType | 'ThirdParty' =
      forcedType ??
      random.weighted([
        ['StatementMade', 44],
        ['PolicyReaffirmed', 21],
        ['PolicyEnacted', 12],
        ['PolicyAmended', 8],
        ['PolicyRescinded', 2],
        ['PolicyEnjoined', 1],
        ['ThirdParty', 6],
      ] as const)
    if (POLICY_CHANGES.includes(type as ClaimType) && j.policies.length === 0) type = 'PolicyEnacted'
    const thirdParty = type === 'ThirdParty'
    const claimType: ClaimType = thirdParty ? 'StatementMade' : (type as ClaimType)
    const office = random.pick(j.offices)
    if (!office.body && random.chance(0.004)) office.holder = this.person(`${office.title} of ${j.name}`)
    const actor = thirdParty ? random.pick(THIRD_PARTIES) : office.holder
    const day = this.claimDay(j)
    const on = partialDate(random, day)
    const stances = thirdParty
      ? [{ dimension: 'declared_status', value: random.pick(['sanctuary', 'sanctuary', 'welcoming', 'none']) }]
      : this.stances(j, POLICY_CHANGES.includes(claimType))
    const verb = thirdParty ? 'lists' : random.pick(['said', 'announced', 'confirmed', 'told reporters', 'wrote'])
    const data: Record<string, unknown> = {
      jurisdictionId: j.id,
      actor,
      on,
      summary: `${actor.name} ${verb} that ${j.name} ${stances.length === 0 ? 'is reviewing its policy' : stances.map((s) => `keeps ${s.dimension.replaceAll('_', ' ')} at ${s.value.replaceAll('_', ' ')}`).join(', and ')}.`,
      sourceId: source.id,
      stances,
    }
    if (on.length < 10 && random.chance(0.5)) data.dateBasis = `the source says "${random.pick(['last spring', 'earlier that year', 'in the fall', 'that summer'])}" without a day`
    const quote = this.quoteFrom(source)
    if (quote !== undefined) data.quote = quote
    if (claimType === 'PolicyEnacted') {
      j.policyCount += 1
      const [instrument, abbr] = random.pick(INSTRUMENTS[j.kind])
      const policyId = `${abbr}-${on.slice(0, 4)}-${j.policyCount}`
      data.policyId = policyId
      data.instrument = instrument
      data.title = `${instrument.replaceAll('-', ' ')} ${j.policyCount} of ${on.slice(0, 4)} on cooperation with federal immigration enforcement`
      j.policies.push(policyId)
      if (j.policies.length > 16) j.policies.shift()
    } else if (POLICY_CHANGES.includes(claimType)) {
      data.policyId = random.pick(j.policies)
    } else if (claimType === 'PolicyReaffirmed' && j.policies.length > 0 && random.chance(0.5)) {
      data.policyId = random.pick(j.policies)
    }
    const id = random.uuid()
    out.push({ id, event: { type: claimType, data } as LedgerEvent })
    j.claims += 1
    j.recent.push({ id, type: claimType })
    if (j.recent.length > 32) j.recent.shift()
  }

  correction(j: Jurisdiction, out: EventOut[]): boolean {
    const random = this.random
    if (j.recent.length === 0) return false
    const target = random.pick(j.recent)
    const what = random.weighted([
      ['stances', 40],
      ['on', 25],
      ['summary', 15],
      ['dated', 15],
      ['actor', 5],
    ] as const)
    const changes: ClaimChanges = {}
    const day = random.between(FIRST_DAY, j.cursorDay)
    if (what === 'stances') changes.stances = this.stances(j, false)
    else if (what === 'on') changes.on = partialDate(random, day)
    else if (what === 'summary') changes.summary = `${j.name}: the statement was about ${random.pick(['county jails only', 'detainers without warrants', 'the 2014 ordinance', 'release dates'])}.`
    else if (what === 'dated') {
      changes.on = isoDay(day).slice(0, 7)
      changes.dateBasis = 'a later report dates this to the month only'
    } else changes.actor = random.pick(j.offices).holder
    const data: Record<string, unknown> = {
      jurisdictionId: j.id,
      correctsEventId: target.id,
      changes,
      reason: random.pick(['misread the source', 'the source was updated', 'a second source gives another date', 'transcription error']),
    }
    if (random.chance(0.3) && this.sources.length > 0) data.evidenceSourceId = random.pick(this.recentSources).id
    out.push({ id: random.uuid(), event: { type: 'ClaimCorrected', data } as LedgerEvent })
    return true
  }

  retraction(j: Jurisdiction, out: EventOut[]): boolean {
    const random = this.random
    if (j.recent.length === 0) return false
    const index = random.int(j.recent.length)
    const target = j.recent[index]!
    j.recent.splice(index, 1)
    out.push({
      id: random.uuid(),
      event: {
        type: 'ClaimRetracted',
        data: { jurisdictionId: j.id, retractsEventId: target.id, reason: random.pick(['the statement was misattributed', 'the source was retracted', 'duplicate of another claim']) },
      },
    })
    return true
  }
}

// ---------------------------------------------------------------------------------------------------
// the two shapes of dataset

export type DatasetSpec =
  | { kind: 'ledger'; name: string; events: number; seed: number }
  | { kind: 'hot-cold'; name: string; hotClaims: number; coldClaims: number; seed: number }

/** What the benchmark needs to know about a generated dataset without reading it. */
export interface DatasetInfo {
  name: string
  path: string
  generatorVersion: number
  spec: DatasetSpec
  events: number
  bytes: number
  sha256: string
  /** Jurisdictions with claims, for read URLs and appended claims (deterministic, up to 64). */
  sampleJurisdictions: Array<{ id: string; claims: number }>
  /** Sources without content along their via chain: appended claims cite them without a quote. */
  plainSources: string[]
  typeCounts: Record<string, number>
  hot?: { id: string; claims: number }
  cold?: { id: string; claims: number }
}

/** Jurisdictions for `size` events: about sqrt(size), federal, states, counties and cities. */
function buildLedgerWorld(world: World, events: number): void {
  const random = world.random
  const total = Math.max(12, Math.round(Math.sqrt(events)))
  const federal = world.addJurisdiction('federal', undefined, 2)
  const stateCount = Math.max(2, Math.min(50, Math.round(total / 25)))
  const states = Array.from({ length: stateCount }, () => world.addJurisdiction('state', federal, 4))
  const countyCount = Math.round((total - 1 - stateCount) * 0.3)
  const counties = Array.from({ length: countyCount }, (_, i) => world.addJurisdiction('county', random.pick(states), 8 / Math.pow(i + 1, 0.5)))
  const cityCount = total - 1 - stateCount - countyCount
  for (let i = 0; i < cityCount; i += 1) {
    const parent = counties.length > 0 && random.chance(0.7) ? random.pick(counties) : random.pick(states)
    // a few big cities get most of the coverage (Zipf-like)
    world.addJurisdiction('city', parent, 40 / Math.pow(i + 1, 0.7))
  }
}

function* ledgerEvents(world: World, events: number): Generator<EventOut> {
  const random = world.random
  let written = 0
  const out: EventOut[] = []
  for (const j of world.jurisdictions) out.push(world.registration(j))
  for (let i = 0; i < 8; i += 1) out.push(world.newSource(random.pick(world.jurisdictions)))
  for (;;) {
    for (const event of out) {
      if (written === events) return
      written += 1
      yield event
    }
    out.length = 0
    const j = world.pickJurisdiction()
    const action = random.weighted([
      ['claim', 91],
      ['correct', 7],
      ['retract', 2],
    ] as const)
    if (action === 'correct' && world.correction(j, out)) continue
    if (action === 'retract' && world.retraction(j, out)) continue
    world.claim(j, out)
  }
}

/** One jurisdiction with `hotClaims` claims and one with `coldClaims`, for the as-of cost growth. */
function* hotColdEvents(world: World, hot: Jurisdiction, cold: Jurisdiction, hotClaims: number, coldClaims: number): Generator<EventOut> {
  const out: EventOut[] = []
  for (const j of world.jurisdictions) out.push(world.registration(j))
  yield* out
  const total = hotClaims + coldClaims
  const coldEvery = Math.floor(total / Math.max(1, coldClaims))
  let coldDone = 0
  for (let i = 0; i < total; i += 1) {
    out.length = 0
    const j = coldDone < coldClaims && i % coldEvery === 0 ? cold : hot
    if (j === cold) coldDone += 1
    world.claim(j, out)
    yield* out
  }
}

// ---------------------------------------------------------------------------------------------------
// writing

const RECORDED_BY = [
  ['importer', 70],
  ['editor-ana', 20],
  ['editor-ben', 10],
] as const

/** Streams the entry lines to `path` (via a temporary file) and returns what it wrote. */
function writeEntries(path: string, events: Iterable<EventOut>, random: Random, progress: (done: number) => void): { lines: number; bytes: number; sha256: string; typeCounts: Record<string, number> } {
  const temporary = `${path}.partial`
  const fd = openSync(temporary, 'w')
  const hash = createHash('sha256')
  let clock = Date.UTC(2017, 0, 1)
  let chunk = ''
  let lines = 0
  let bytes = 0
  let batch = 0
  const typeCounts: Record<string, number> = {}
  const flush = () => {
    if (chunk === '') return
    const buffer = Buffer.from(chunk, 'utf8')
    writeSync(fd, buffer)
    hash.update(buffer)
    bytes += buffer.length
    chunk = ''
  }
  try {
    for (const { id, event } of events) {
      clock += random.between(1, 20_000)
      if (lines % 500 === 0) batch += 1
      const metadata: Record<string, unknown> = {
        recordedAt: new Date(clock).toISOString(),
        recordedBy: random.weighted(RECORDED_BY),
        schemaVersion: 1,
      }
      if (random.chance(0.3)) metadata.correlationId = `bench-import-${batch}`
      chunk += `${entryOf({ id, stream: streamOf(event), type: event.type, data: event.data, metadata })}\n`
      typeCounts[event.type] = (typeCounts[event.type] ?? 0) + 1
      lines += 1
      if (chunk.length > 1 << 20) {
        flush()
        progress(lines)
      }
    }
    flush()
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, path)
  return { lines, bytes, sha256: hash.digest('hex'), typeCounts }
}

function sameSpec(a: DatasetSpec, b: DatasetSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * The dataset for `spec` under `dir`: reused when its sidecar says it was written by this generator
 * version with the same spec and the file is intact in size, generated otherwise.
 */
export function ensureDataset(spec: DatasetSpec, dir: string, log: (line: string) => void = () => undefined): DatasetInfo {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${spec.name}.ndjson`)
  const metaPath = join(dir, `${spec.name}.meta.json`)
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as DatasetInfo
    if (meta.generatorVersion === GENERATOR_VERSION && sameSpec(meta.spec, spec) && statSync(path).size === meta.bytes) {
      log(`dataset ${spec.name}: reusing ${path} (${meta.events} events, generator v${GENERATOR_VERSION})`)
      return { ...meta, path }
    }
  }
  const started = performance.now()
  const random = new Random(spec.seed)
  const world = new World(random)
  let events: Iterable<EventOut>
  let expected: number
  let hot: Jurisdiction | undefined
  let cold: Jurisdiction | undefined
  if (spec.kind === 'ledger') {
    buildLedgerWorld(world, spec.events)
    events = ledgerEvents(world, spec.events)
    expected = spec.events
  } else {
    const federal = world.addJurisdiction('federal', undefined, 1)
    const state = world.addJurisdiction('state', federal, 1)
    hot = world.addJurisdiction('city', state, 1)
    cold = world.addJurisdiction('city', state, 1)
    events = hotColdEvents(world, hot, cold, spec.hotClaims, spec.coldClaims)
    expected = spec.hotClaims + spec.coldClaims
  }
  log(`dataset ${spec.name}: generating ${path} …`)
  let lastReport = performance.now()
  const written = writeEntries(path, events, random, (done) => {
    if (performance.now() - lastReport < 5_000) return
    lastReport = performance.now()
    log(`dataset ${spec.name}: ${done} lines`)
  })
  const withClaims = world.jurisdictions.filter((j) => j.claims > 0 && j.kind !== 'federal')
  const step = Math.max(1, Math.floor(withClaims.length / 64))
  const info: DatasetInfo = {
    name: spec.name,
    path,
    generatorVersion: GENERATOR_VERSION,
    spec,
    events: written.lines,
    bytes: written.bytes,
    sha256: written.sha256,
    sampleJurisdictions: withClaims.filter((_, i) => i % step === 0).slice(0, 64).map((j) => ({ id: j.id, claims: j.claims })),
    plainSources: world.plainSources(32),
    typeCounts: written.typeCounts,
    ...(hot === undefined ? {} : { hot: { id: hot.id, claims: hot.claims } }),
    ...(cold === undefined ? {} : { cold: { id: cold.id, claims: cold.claims } }),
  }
  if (spec.kind === 'ledger' && info.events !== expected) throw new Error(`generated ${info.events} events, expected ${expected}`)
  writeFileSync(metaPath, `${JSON.stringify(info, null, 2)}\n`)
  log(`dataset ${spec.name}: ${info.events} events, ${(info.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return info
}

/** `10k`, `100k`, `1M`, `2500` -> a number of events. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim())
  if (match === null) throw new Error(`not a size: ${text} (expected e.g. 10k, 100k, 1M)`)
  const factor = match[2]!.toLowerCase() === 'k' ? 1_000 : match[2]!.toLowerCase() === 'm' ? 1_000_000 : 1
  return Math.round(Number(match[1]) * factor)
}

export function sizeName(events: number): string {
  if (events % 1_000_000 === 0) return `${events / 1_000_000}M`
  if (events % 1_000 === 0) return `${events / 1_000}k`
  return String(events)
}

export function ledgerSpec(events: number, seed = DEFAULT_SEED): DatasetSpec {
  return { kind: 'ledger', name: sizeName(events), events, seed }
}

export function hotColdSpec(hotClaims: number, coldClaims = 10, seed = DEFAULT_SEED): DatasetSpec {
  return { kind: 'hot-cold', name: `hot-${sizeName(hotClaims)}-cold-${coldClaims}`, hotClaims, coldClaims, seed }
}

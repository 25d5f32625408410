/**
 * The topic taxonomy: which dimensions a stance has and the values each may take. The core never names
 * a dimension; it iterates `taxonomy.dimensions`. Values are listed from most to least cooperation with
 * federal enforcement, which is the display order.
 */

export interface Taxonomy {
  readonly topic: string
  readonly dimensions: Readonly<Record<string, readonly string[]>>
}

/** The value of a dimension about which nothing is recorded (or which a policy action reset). */
export const UNKNOWN = 'unknown'

export const immigrationEnforcement = {
  topic: 'immigration-enforcement',
  dimensions: {
    declared_status: ['disavows', 'none', 'welcoming', 'sanctuary'],
    detainer_hold: [
      'honor_all',
      'reimbursed_only',
      'serious_crimes_only',
      'judicial_warrant_only',
      'judicial_warrant_and_serious_crime',
      'decline_all',
    ],
    release_notification: ['all', 'serious_crimes_only', 'judicial_warrant_only', 'none'],
    ice_facility_access: ['embedded', 'interviews_allowed', 'restricted', 'prohibited'],
    status_inquiry: ['required', 'permitted', 'limited', 'prohibited'],
    information_sharing: ['unrestricted', 'restricted', 'prohibited'],
    local_resources: ['permitted', 'restricted', 'prohibited'],
    agreement_287g: ['active', 'none', 'prohibited'],
  },
} as const satisfies Taxonomy

/** The taxonomy this ledger validates against. */
export const taxonomy: Taxonomy = immigrationEnforcement

export const dimensions: readonly string[] = Object.keys(taxonomy.dimensions)

export function isDimension(name: string): boolean {
  return Object.hasOwn(taxonomy.dimensions, name)
}

export function allowedValues(dimension: string): readonly string[] {
  return isDimension(dimension) ? (taxonomy.dimensions[dimension] ?? []) : []
}

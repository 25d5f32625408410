import type { LedgerEvent } from './catalogue.js'

/** The one place that builds stream names: a write's stream follows from its data. */
export function jurisdictionStream(jurisdictionId: string): string {
  return `jurisdiction-${jurisdictionId}`
}

export function sourceStream(sourceId: string): string {
  return `source-${sourceId}`
}

/** Every ledger stream starts with one of these; anything else in a store is not the ledger's. */
export const ledgerStreamPrefixes = ['jurisdiction-', 'source-'] as const

export function streamOf(event: LedgerEvent): string {
  switch (event.type) {
    case 'SourceRegistered':
      return sourceStream(event.data.sourceId)
    case 'JurisdictionRegistered':
    case 'StatementMade':
    case 'PolicyEnacted':
    case 'PolicyReaffirmed':
    case 'PolicyAmended':
    case 'PolicyRescinded':
    case 'PolicyEnjoined':
    case 'ClaimCorrected':
    case 'ClaimRetracted':
      return jurisdictionStream(event.data.jurisdictionId)
  }
}

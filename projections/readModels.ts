import { claimsReadModel } from './claims.js'
import { jurisdictionsReadModel } from './jurisdictions.js'
import { recordTimeReadModel } from './recordTime.js'
import { sourcesReadModel } from './sources.js'

/** Every read model, by name: the store keeps each one's tables, version and position. */
export const readModels = {
  jurisdictions: jurisdictionsReadModel,
  sources: sourcesReadModel,
  claims: claimsReadModel,
  recordTime: recordTimeReadModel,
} as const

export type ReadModelName = keyof typeof readModels

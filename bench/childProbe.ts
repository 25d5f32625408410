/**
 * Preloaded into the benchmark's server children (`--import ./bench/childProbe.ts`, with --expose-gc):
 * on the message `{ type: 'memory' }` it collects garbage and answers with `process.memoryUsage()`, so
 * resident memory is measured after GC in the real service process without touching its code. The IPC
 * channel is unref'd: it never keeps a stopping server alive.
 */

interface MemoryRequest {
  type: 'memory'
}

const gc = (globalThis as { gc?: () => void }).gc

if (process.send !== undefined) {
  process.on('message', (message: MemoryRequest) => {
    if (message?.type !== 'memory') return
    // several passes: weak references and finalisers let more go on the next one
    for (let pass = 0; pass < 4; pass += 1) gc?.()
    const usage = process.memoryUsage()
    process.send?.({ type: 'memory', gc: gc !== undefined, ...usage })
  })
  process.channel?.unref()
}


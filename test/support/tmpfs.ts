import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A small tmpfs of its own, for tests that run the ledger out of disk space: mounted on a fresh
 * directory, grown in place (`mount -o remount,size=…`, which keeps its files), unmounted and removed
 * by `unmount`. Mounting needs root (CAP_SYS_ADMIN in the mount namespace); `tmpfsUnavailable` says
 * why it cannot be done here, for a skip.
 */
export interface Tmpfs {
  dir: string
  /** Bytes still free. */
  available(): number
  /** Sets its size, e.g. `16m`; the files on it stay. */
  resize(size: string): void
  /** Writes a filler file so that only about `leave` bytes stay free. */
  fill(leave: number): void
  unmount(): void
}

function mountOn(dir: string, size: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' })
}

/** undefined when a tmpfs can be mounted here; otherwise what stops it. */
export function tmpfsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `tmpfs mounts are Linux's; this is ${process.platform}`
  const dir = mkdtempSync(join(tmpdir(), 'policy-ledger-tmpfs-probe-'))
  try {
    mountOn(dir, '64k')
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    const said = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim().split('\n')[0]
    return `mount -t tmpfs is not permitted here (${said || 'refused'}): it needs root with CAP_SYS_ADMIN, as CI runs it (e.g. sudo npx tap test/hardening/diskFull.test.ts)`
  }
  spawnSync('umount', [dir])
  rmSync(dir, { recursive: true, force: true })
  return undefined
}

export function mountTmpfs(prefix: string, size: string): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), `policy-ledger-${prefix}-`))
  mountOn(dir, size)
  let mounted = true
  const available = (): number => {
    const stats = statfsSync(dir)
    return stats.bavail * stats.bsize
  }
  return {
    dir,
    available,
    resize: (next) => execFileSync('mount', ['-o', `remount,size=${next}`, dir], { stdio: 'pipe' }),
    fill: (leave) => {
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, `filler-${Date.now()}`), Buffer.alloc(Math.max(0, available() - leave)))
    },
    unmount: () => {
      if (!mounted) return
      mounted = false
      // lazily, should a killed child still hold a file there
      if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

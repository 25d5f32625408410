import { Command, CommanderError, Option } from 'commander'
import { ConfigError, parseConfig } from '../config/config.js'
import { LedgerError } from '../errors.js'
import { serve } from './serve.js'
import { exportEntries } from './exportEntries.js'
import { importFile } from './importFile.js'
import { verifyCommand } from './verifyCommand.js'
import { stanceCommand } from './stanceCommand.js'
import { rebuildCommand } from './rebuildCommand.js'
import { backupCommand } from './backupCommand.js'
import { changesCommand } from './changesCommand.js'
import { panelCommand } from './panelCommand.js'

/**
 * `policy-ledger <command>`: serve, import, export, verify, stance, panel, rebuild, backup. Every command reads its
 * configuration from the environment (LEDGER_STORE and the rest) and opens the store directly.
 */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let exitCode = 0
  const config = () => parseConfig(env)
  const program = new Command()
    .name('policy-ledger')
    .description('A verifiable, bitemporal ledger of public policy stances.\nConfiguration comes from the environment: see the README.')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text), writeOut: (text) => process.stdout.write(text) })
    .showHelpAfterError()

  program
    .command('serve')
    .description('serve the REST API on HOST:PORT (loads the seed when LEDGER_SEED=true)')
    .action(async () => {
      exitCode = await serve(config())
    })

  program
    .command('import')
    .description('import entry lines (from export: written verbatim) or events in POST /events shape (idempotent by id)')
    .argument('<file>', 'an NDJSON file, or - for standard input')
    .option('--url <url>', 'send events to a running service instead of opening the store (events only)')
    .option('--token <token>', 'write token for --url (or LEDGER_TOKEN)')
    .option('--batch <n>', 'events per request or transaction', (text) => Number(text), 500)
    .option('--recorded-by <name>', 'recordedBy for events written directly to the store', 'import')
    .action(async (file: string, options: { url?: string; token?: string; batch: number; recordedBy: string }) => {
      exitCode = await importFile(file, { ...options, token: options.token ?? env.LEDGER_TOKEN }, config)
    })

  program
    .command('export')
    .description("write the ledger's entry lines (NDJSON) to standard output")
    .action(async () => {
      exitCode = await exportEntries(config())
    })

  program
    .command('verify')
    .description('recompute every leaf hash, check positions, checkpoints and quotes; or check an export offline')
    .option('--entries <file>', 'verify an export offline instead of the store')
    .option('--checkpoint <file>', 'with --entries: the JSON of GET /ledger/checkpoint to check the root against')
    .option('--key <vkey>', 'with --entries: the verifier key to check the checkpoint signature with (default: its publicKey)')
    .action(async (options: { entries?: string; checkpoint?: string; key?: string }) => {
      exitCode = await verifyCommand(options, config)
    })

  program
    .command('rebuild')
    .description('drop read models (all by default) and fold the log into them again; the service must be stopped')
    .argument('[read-models...]', 'which ones, by name (jurisdictions, sources, claims, recordTime, merkle)')
    .action(async (names: string[]) => {
      exitCode = await rebuildCommand(names, config())
    })

  program
    .command('backup')
    .description('copy an embedded store while it serves (SQLite online backup): a store file serve starts on')
    .argument('<file>', 'where to write the copy')
    .option('--force', 'replace the file if it exists')
    .action(async (file: string, options: { force?: boolean }) => {
      exitCode = await backupCommand({ file, force: options.force === true }, config())
    })

  program
    .command('panel')
    .description('a panel of stances: one row per jurisdiction and period (CSV or NDJSON), as GET /panel')
    .requiredOption('--from <date>', 'the first period overlaps this partial date')
    .requiredOption('--to <date>', 'the last period overlaps this partial date')
    .requiredOption('--every <period>', 'day, month, quarter or year')
    .option('--at <end|start>', "each period's last day (end) or first", 'end')
    .option('--format <csv|ndjson>', 'CSV with a header row, or NDJSON', 'csv')
    .option('--kind <kind>', 'only jurisdictions of this kind')
    .option('--jurisdiction <id>', 'only this jurisdiction')
    .option('--dimension <name>', 'only this dimension')
    .option('--known-at <t>', 'record time: a position, an RFC 3339 timestamp or a date (default: everything)')
    .action(async (options: Record<string, unknown>) => {
      exitCode = await panelCommand(options, config())
    })

  program
    .command('changes')
    .description('what changed, as GET /changes: in valid time between --from and --to, or today\'s answers since a position (--since)')
    .option('--from <date>', 'valid time: the first day (a partial date), with --to')
    .option('--to <date>', 'valid time: the last day, inclusive, with --from')
    .option('--since <position>', 'record time: what changed after this position, in today\'s answers')
    .option('--kind <kind>', 'only jurisdictions of this kind')
    .option('--jurisdiction <id>', 'only this jurisdiction')
    .option('--dimension <name>', 'only this dimension')
    .option('--known-at <t>', 'record time: a position, an RFC 3339 timestamp or a date (default: everything)')
    .option('--json', 'print the JSON answer instead of a table')
    .action(async (options: Record<string, unknown>) => {
      exitCode = await changesCommand(options, config())
    })

  program
    .command('stance')
    .description("print a jurisdiction's stance per dimension")
    .argument('<jurisdiction>', 'e.g. us-pa-philadelphia')
    .addOption(new Option('--as-of <date>', 'valid time, YYYY-MM-DD (default today, UTC)'))
    .addOption(new Option('--known-at <t>', 'record time: a position, an RFC 3339 timestamp or a date'))
    .option('--json', 'print the JSON answer instead of a table')
    .action(async (jurisdiction: string, options: { asOf?: string; knownAt?: string; json?: boolean }) => {
      exitCode = await stanceCommand(jurisdiction, options, config())
    })

  try {
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      return 78 // EX_CONFIG
    }
    if (error instanceof LedgerError) {
      process.stderr.write(`policy-ledger: ${error.message}\n`)
      for (const detail of error.extra.errors ?? []) process.stderr.write(`  ${detail.path}: ${detail.message}\n`)
      // EX_TEMPFAIL: nothing is wrong with the store or the command; the same command works once there is space
      return error.code === 'store_full' ? 75 : 1
    }
    process.stderr.write(`policy-ledger: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}

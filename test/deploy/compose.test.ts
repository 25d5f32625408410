/**
 * The deployment files (Dockerfile, docker-compose.yml, docker-compose.cluster.yml) cannot run here:
 * there is no Docker engine. This parses them and checks what can be checked without one: pinned
 * images, ports, health checks, the non-root user, and that every variable handed to the ledger is one
 * the app reads and parses (through parseConfig itself, so this follows src/config/config.ts).
 */
import t, { type Test } from 'tap'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConnectionString } from '@eventstore/db-client/dist/Client/parseConnectionString.js'
import { parseDocument } from 'yaml'
import { z } from 'zod'
import { parseConfig, type Config } from '../../src/config/config.js'
import { generateSigningKey, loadSigningKey } from '../../src/log/signingKey.js'
import { packageRoot } from '../../src/paths.js'

const root = packageRoot()
const packageVersion = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
).version

// --- compose files ----------------------------------------------------------------------------------

/** The compose keys these files use; strict, so a misspelt key fails here instead of being ignored. */
const Service = z.strictObject({
  image: z.string(),
  build: z.strictObject({ context: z.string(), dockerfile: z.string() }).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  secrets: z.array(z.string()).optional(),
  ports: z.array(z.string()).optional(),
  volumes: z.array(z.string()).optional(),
  networks: z
    .union([
      z.array(z.string()),
      z.record(z.string(), z.strictObject({ ipv4_address: z.string() })),
    ])
    .optional(),
  depends_on: z
    .record(z.string(), z.strictObject({ condition: z.literal('service_healthy') }))
    .optional(),
  healthcheck: z.strictObject({
    test: z.union([z.string(), z.array(z.string())]),
    interval: z.string(),
    timeout: z.string(),
    retries: z.number().int().min(1),
    start_period: z.string(),
  }),
  restart: z.enum(['no', 'always', 'on-failure', 'unless-stopped']),
})
type Service = z.infer<typeof Service>

const ComposeFile = z
  .object({
    name: z.string(),
    services: z.record(z.string(), Service),
    secrets: z.record(z.string(), z.strictObject({ file: z.string() })).optional(),
    volumes: z.record(z.string(), z.null()).optional(),
    networks: z
      .record(
        z.string(),
        z.strictObject({
          ipam: z.strictObject({
            config: z.array(
              z.strictObject({ subnet: z.string(), ip_range: z.string().optional() }),
            ),
          }),
        }),
      )
      .optional(),
  })
  .catchall(z.unknown())
  .superRefine((file, ctx) => {
    for (const key of Object.keys(file)) {
      if (
        !['name', 'services', 'secrets', 'volumes', 'networks'].includes(key) &&
        !key.startsWith('x-')
      ) {
        ctx.addIssue({ code: 'custom', message: `unexpected top-level key ${key}` })
      }
    }
  })
type ComposeFile = z.infer<typeof ComposeFile>

function loadCompose(name: string): ComposeFile {
  const document = parseDocument(readFileSync(join(root, name), 'utf8'), { merge: true })
  if (document.errors.length > 0 || document.warnings.length > 0) {
    throw new Error(
      `${name}: ${[...document.errors, ...document.warnings].map((issue) => issue.message).join('; ')}`,
    )
  }
  return ComposeFile.parse(document.toJS())
}

/** Compose interpolation as far as these files use it: `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `$$`. */
function interpolate(text: string, variables: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$/g,
    (match, name?: string, operator?: string, fallback?: string) => {
      if (match === '$$') return '$'
      if (name === undefined)
        throw new Error(`unsupported interpolation in ${JSON.stringify(text)}`)
      const value = variables[name]
      if (operator === ':-') return value === undefined || value === '' ? (fallback ?? '') : value
      if (operator === '-') return value ?? fallback ?? ''
      return value ?? ''
    },
  )
}

function isEventStore(service: Service): boolean {
  return /^(eventstore\/eventstore|docker\.kurrent\.io\/|kurrentplatform\/)/.test(service.image)
}

function isLedger(service: Service): boolean {
  return service.build !== undefined
}

interface PortMapping {
  hostIp: string | undefined
  hostPort: number
  containerPort: number
}

function parsePort(spec: string): PortMapping {
  const parts = spec.replace(/\/tcp$/, '').split(':')
  if (parts.length < 2 || parts.length > 3)
    throw new Error(`expected [ip:]host:container, got ${spec}`)
  const [containerPort, hostPort, hostIp] = [...parts].reverse()
  return { hostIp, hostPort: Number(hostPort), containerPort: Number(containerPort) }
}

function healthcheckText(service: Service): string {
  const test = service.healthcheck.test
  return Array.isArray(test) ? test.join(' ') : test
}

function ipv4(address: string): number {
  const octets = address.split('.').map(Number)
  if (
    octets.length !== 4 ||
    octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)
  ) {
    throw new Error(`not an IPv4 address: ${address}`)
  }
  return octets.reduce((value, octet) => value * 256 + octet, 0)
}

function inCidr(address: string, cidr: string): boolean {
  const [network, bits] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  const start = ipv4(network!)
  return ipv4(address) >= start && ipv4(address) < start + size
}

// --- the app's configuration, asked through parseConfig ---------------------------------------------

type Outcome = { ok: Config } | { error: string }

function outcome(env: Record<string, string | undefined>): string {
  let result: Outcome
  try {
    result = { ok: parseConfig(env) }
  } catch (error) {
    result = { error: (error as Error).message }
  }
  return JSON.stringify(result)
}

/**
 * Whether the app reads `name`: some value for it changes what parseConfig makes of the rest of the
 * environment (a different config, or an error). zod drops keys it does not know, so a variable the
 * app does not read changes nothing, whatever its value.
 */
function appReads(name: string, env: Record<string, string>): boolean {
  const rest = { ...env, [name]: undefined }
  const without = outcome(rest)
  const probes = [
    'probe-value',
    'not a valid value',
    '0',
    '1',
    '65536',
    'true',
    'debug',
    ':',
    'sqlite::memory:',
  ]
  return probes.some((probe) => outcome({ ...rest, [name]: probe }) !== without)
}

// --- Dockerfile ---------------------------------------------------------------------------------------

interface Instruction {
  keyword: string
  args: string
  stage: number
}

/** Instructions with line continuations joined and comments (and parser directives) left out. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = []
  let stage = -1
  let current = ''
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue
    const line = raw.trimEnd()
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `
      continue
    }
    current += line
    const joined = current.trim()
    current = ''
    if (joined === '') continue
    const [keyword = '', ...rest] = joined.split(/\s+/)
    if (keyword.toUpperCase() === 'FROM') stage += 1
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), stage })
  }
  return instructions
}

function envOf(instructions: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const { args } of instructions.filter((instruction) => instruction.keyword === 'ENV')) {
    for (const pair of args.split(/\s+/)) {
      const equals = pair.indexOf('=')
      if (equals <= 0) throw new Error(`ENV ${args}: expected NAME=value pairs`)
      env[pair.slice(0, equals)] = pair.slice(equals + 1)
    }
  }
  return env
}

const dockerfile = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'))
const lastStage = Math.max(...dockerfile.map((instruction) => instruction.stage))
const runtime = dockerfile.filter((instruction) => instruction.stage === lastStage)
const imageEnv = envOf(runtime)

const single = loadCompose('docker-compose.yml')
const cluster = loadCompose('docker-compose.cluster.yml')

/** What one ledger container's process sees: the image's ENV, then the service's environment. */
function containerEnv(
  service: Service,
  variables: Record<string, string>,
  keyPath: string,
): Record<string, string> {
  const env: Record<string, string> = { ...imageEnv }
  for (const [name, value] of Object.entries(service.environment ?? {}))
    env[name] = interpolate(value, variables)
  if (env.LEDGER_SIGNING_KEY?.startsWith('/run/secrets/')) env.LEDGER_SIGNING_KEY = keyPath
  return env
}

t.test('the config check itself tells read variables from unread ones', async (t) => {
  const env = {
    LEDGER_STORE: 'esdb://eventstore:2113?tls=false',
    LEDGER_SIGNING_KEY: '/tmp/key.pem',
  }
  for (const name of [
    'HOST',
    'PORT',
    'LEDGER_STORE',
    'LEDGER_SIGNING_KEY',
    'LEDGER_TOKENS',
    'LEDGER_READ_TOKENS',
    'LEDGER_SEED',
    'LOG_LEVEL',
  ]) {
    t.ok(appReads(name, env), `${name} is read`)
  }
  for (const name of ['LEDGER_SIGNINGKEY', 'LEDGER_TOKEN', 'ESDB_URL', 'NODE_ENV'])
    t.notOk(appReads(name, env), `${name} is not read by parseConfig`)
})

t.test('Dockerfile', async (t) => {
  const froms = dockerfile.filter((instruction) => instruction.keyword === 'FROM')
  t.ok(froms.length >= 2, 'multi-stage')
  for (const from of froms) {
    t.match(
      from.args,
      /^node:20\.\d+\.\d+-bookworm-slim( AS \w+)?$/i,
      `${from.args}: Node 20 bookworm-slim, pinned to a patch release`,
    )
  }
  const builder = dockerfile.filter((instruction) => instruction.stage < lastStage)
  const builderRuns = builder
    .filter((instruction) => instruction.keyword === 'RUN')
    .map((instruction) => instruction.args)
    .join('\n')
  t.match(
    builderRuns,
    /apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/,
    'the builder has what node-gyp needs for better-sqlite3',
  )
  t.match(builderRuns, /npm ci\b/, 'npm ci from the lock file')
  t.match(builderRuns, /npm run build\b/, 'compiles dist/')
  t.match(builderRuns, /npm prune --omit=dev\b/, 'drops the dev dependencies')

  const users = runtime.filter((instruction) => instruction.keyword === 'USER')
  t.equal(users.length, 1, 'the runtime stage sets its user')
  t.notOk(
    ['root', '0', '0:0'].includes(users[0]?.args ?? 'root'),
    `runs as a non-root user (${users[0]?.args})`,
  )
  const cmdIndex = runtime.findIndex((instruction) => instruction.keyword === 'CMD')
  t.ok(runtime.indexOf(users[0]!) < cmdIndex, 'USER comes before CMD')

  t.equal(imageEnv.HOST, '0.0.0.0', 'listens on every interface')
  t.equal(imageEnv.PORT, '3000')
  t.equal(imageEnv.NODE_ENV, 'production')
  for (const name of Object.keys(imageEnv).filter((name) => name !== 'NODE_ENV')) {
    t.ok(appReads(name, imageEnv), `ENV ${name} is read by the app`)
  }
  const config = parseConfig(imageEnv)
  t.equal(config.host, '0.0.0.0')
  t.equal(config.port, 3000)
  t.match(
    config.store,
    { kind: 'sqlite', path: /^\/var\/lib\/policy-ledger\// },
    'the embedded store lives in the volume',
  )

  const volumes = runtime
    .filter((instruction) => instruction.keyword === 'VOLUME')
    .map((instruction) => instruction.args)
  t.same(volumes, ['/var/lib/policy-ledger'])
  const volumeIndex = runtime.findIndex((instruction) => instruction.keyword === 'VOLUME')
  t.ok(
    runtime
      .slice(0, volumeIndex)
      .some(
        (instruction) =>
          instruction.keyword === 'RUN' &&
          /chown node(:node)? \/var\/lib\/policy-ledger/.test(instruction.args),
      ),
    'the volume directory is given to node before VOLUME (later changes to it would be discarded)',
  )

  t.same(
    runtime
      .filter((instruction) => instruction.keyword === 'EXPOSE')
      .map((instruction) => instruction.args),
    [imageEnv.PORT],
    'EXPOSEs PORT',
  )

  const healthchecks = runtime.filter((instruction) => instruction.keyword === 'HEALTHCHECK')
  t.equal(healthchecks.length, 1, 'one HEALTHCHECK')
  const check = healthchecks[0]!.args.match(/CMD (\[.*\])$/)
  t.ok(check, 'HEALTHCHECK CMD in exec form')
  const checkCommand = JSON.parse(check![1]!) as string[]
  t.equal(checkCommand[0], 'node', 'checked with node (the slim image has no curl)')
  t.match(checkCommand.join(' '), /fetch\('http:\/\/127\.0\.0\.1:.*\/ready'\)/, 'asks /ready')

  const cmd = runtime[cmdIndex]
  t.same(JSON.parse(cmd?.args ?? 'null'), ['node', 'bin/policy-ledger.js', 'serve'], 'CMD serves')
  t.ok(existsSync(join(root, 'bin', 'policy-ledger.js')))

  const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  for (const entry of [
    'node_modules',
    'dist',
    'var',
    'coverage',
    '.tap',
    'test-artifacts',
    '.git',
    'bench/data',
  ]) {
    t.ok(ignored.includes(entry), `.dockerignore keeps ${entry} out of the build context`)
  }
  const copied = dockerfile
    .filter(
      (instruction) => instruction.keyword === 'COPY' && !instruction.args.startsWith('--from'),
    )
    .flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1))
  for (const source of copied) {
    t.ok(existsSync(join(root, source)), `COPY ${source}: exists`)
    t.notOk(ignored.includes(source), `COPY ${source}: not ignored`)
  }
  const fromBuilder = runtime
    .filter((instruction) => instruction.keyword === 'COPY')
    .map((instruction) =>
      instruction.args
        .replace(/^--from=\S+\s+/, '')
        .split(/\s+/)[0]!
        .replace(/^\/app\//, ''),
    )
  for (const needed of ['node_modules', 'dist', 'bin', 'data', 'package.json']) {
    t.ok(fromBuilder.includes(needed), `the runtime stage has ${needed}`)
  }
})

/** Checks every compose file shares; answers the ledger services' container environments. */
function checkComposeFile(t: Test, name: string, file: ComposeFile, keyPath: string): void {
  const services = Object.entries(file.services)
  for (const [serviceName, service] of services) {
    t.match(
      service.image,
      /^[^:@\s]+:(?!latest$)[\w.-]+$/,
      `${serviceName}: ${service.image} is pinned to a tag`,
    )
    t.ok(
      healthcheckText(service).length > 0 && healthcheckText(service) !== 'NONE',
      `${serviceName}: has a health check`,
    )
    const { environment: _environment, ...rest } = service
    t.notMatch(JSON.stringify(rest), /\$/, `${serviceName}: interpolates only in environment`)
  }
  const eventStores = services.filter(([, service]) => isEventStore(service))
  const ledgers = services.filter(([, service]) => isLedger(service))
  t.equal(
    eventStores.length + ledgers.length,
    services.length,
    `${name}: every service is EventStoreDB or the ledger`,
  )

  for (const [serviceName, service] of eventStores) {
    t.match(service.image, /:\d+\.\d+\.\d+/, `${serviceName}: an exact EventStoreDB release`)
    t.same(
      service.ports?.map(parsePort).map((port) => port.containerPort),
      [2113],
      `${serviceName}: publishes 2113`,
    )
    for (const port of service.ports?.map(parsePort) ?? []) {
      t.equal(
        port.hostIp,
        '127.0.0.1',
        `${serviceName}: an insecure node is published on loopback only`,
      )
    }
    const env = service.environment ?? {}
    t.ok(
      Object.keys(env).every((key) => key.startsWith('EVENTSTORE_')),
      `${serviceName}: EVENTSTORE_* settings (KURRENTDB_* on 25.x)`,
    )
    t.equal(env.EVENTSTORE_INSECURE, 'true', `${serviceName}: insecure`)
    t.equal(env.EVENTSTORE_RUN_PROJECTIONS, 'All', `${serviceName}: projections on`)
    t.equal(
      env.EVENTSTORE_START_STANDARD_PROJECTIONS,
      'true',
      `${serviceName}: standard projections started`,
    )
    const listensOn = env.EVENTSTORE_NODE_IP ?? 'localhost'
    t.match(
      healthcheckText(service),
      new RegExp(`curl --fail .*http://${listensOn.replaceAll('.', '\\.')}:2113/health/live`),
      `${serviceName}: the health check reaches the address the node listens on`,
    )
    const data = service.volumes?.find((volume) => volume.endsWith(':/var/lib/eventstore'))
    t.ok(data, `${serviceName}: its data is in a volume`)
    t.ok(
      file.volumes !== undefined && data !== undefined && data.split(':')[0]! in file.volumes,
      `${serviceName}: a named volume`,
    )
  }

  for (const [serviceName, service] of ledgers) {
    t.equal(service.build?.context, '.', `${serviceName}: built from this repository`)
    t.ok(
      existsSync(join(root, service.build?.dockerfile ?? '')),
      `${serviceName}: its Dockerfile exists`,
    )
    t.equal(
      service.image,
      `policy-ledger:${packageVersion}`,
      `${serviceName}: tagged with the package version`,
    )
    const environment = service.environment ?? {}
    for (const variable of Object.keys(environment)) {
      t.ok(
        appReads(variable, containerEnv(service, {}, keyPath)),
        `${serviceName}: ${variable} is read by the app`,
      )
    }

    const variableSets: Array<Record<string, string>> = [
      {},
      { LEDGER_TOKENS: 'editor:change-me-to-a-long-secret', LOG_LEVEL: 'warn' },
    ]
    for (const variables of variableSets) {
      const env = containerEnv(service, variables, keyPath)
      let config: Config | undefined
      t.doesNotThrow(
        () => (config = parseConfig(env)),
        `${serviceName}: parseConfig accepts its environment with ${JSON.stringify(variables)}`,
      )
      if (config === undefined) continue
      t.equal(config.store.kind, 'esdb', `${serviceName}: on EventStoreDB`)
      t.equal(config.host, '0.0.0.0', `${serviceName}: listens on every interface`)
      t.equal(
        config.signingKeyPath,
        keyPath,
        `${serviceName}: the signing key comes from the secret`,
      )
      const ports = service.ports?.map(parsePort) ?? []
      t.same(
        ports.map((port) => port.containerPort),
        [config.port],
        `${serviceName}: publishes the port it listens on`,
      )
      t.match(
        healthcheckText(service),
        `http://127.0.0.1:${config.port}/ready`,
        `${serviceName}: checks its own /ready`,
      )
      if (Object.keys(variables).length > 0) {
        t.same(
          config.writeTokens,
          [{ name: 'editor', token: 'change-me-to-a-long-secret' }],
          `${serviceName}: LEDGER_TOKENS from the environment`,
        )
        t.equal(config.logLevel, 'warn')
      } else {
        t.same(config.writeTokens, [], `${serviceName}: no LEDGER_TOKENS, writes disabled`)
      }
    }

    const store = interpolate(environment.LEDGER_STORE ?? '', {})
    const warnings: unknown[] = []
    const warn = console.warn
    console.warn = (...args: unknown[]) => void warnings.push(args)
    let parsed
    try {
      // as the adapter hands it to the client
      parsed = parseConnectionString(store.replace(/^kurrentdb(\+discover)?:/, 'esdb$1:'))
    } finally {
      console.warn = warn
    }
    t.same(warnings, [], `${serviceName}: the client knows every option in ${store}`)
    t.equal(parsed.tls, false, `${serviceName}: tls=false, as the insecure nodes need`)
    t.equal(
      parsed.dnsDiscover,
      false,
      `${serviceName}: the hosts are gossip seeds, not a DNS name to discover`,
    )
    for (const host of parsed.hosts) {
      const target = file.services[host.address]
      t.ok(
        target !== undefined && isEventStore(target),
        `${serviceName}: ${host.address} is an EventStoreDB service in ${name}`,
      )
      t.equal(host.port, 2113, `${serviceName}: ${host.address} on 2113`)
      t.equal(
        service.depends_on?.[host.address]?.condition,
        'service_healthy',
        `${serviceName}: starts after ${host.address} is healthy`,
      )
    }

    const secret = environment.LEDGER_SIGNING_KEY?.match(/^\/run\/secrets\/(.+)$/)?.[1]
    t.ok(
      secret !== undefined && service.secrets?.includes(secret),
      `${serviceName}: LEDGER_SIGNING_KEY is a secret it mounts`,
    )
    const source = secret === undefined ? undefined : file.secrets?.[secret]?.file
    t.match(
      source,
      /^\.\/var\//,
      `${serviceName}: the key file is under var/ (ignored by git and docker)`,
    )
  }
}

t.test('docker-compose.yml and docker-compose.cluster.yml', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'policy-ledger-compose-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const keyPath = join(directory, 'signing-key.pem')
  writeFileSync(keyPath, generateSigningKey().pem, { mode: 0o600 })
  await loadSigningKey(keyPath)

  t.not(single.name, cluster.name, 'the two stacks are separate compose projects')

  t.test('docker-compose.yml: one EventStoreDB node and the ledger', async (t) => {
    checkComposeFile(t, 'docker-compose.yml', single, keyPath)
    const eventStores = Object.entries(single.services).filter(([, service]) =>
      isEventStore(service),
    )
    const ledgers = Object.entries(single.services).filter(([, service]) => isLedger(service))
    t.equal(eventStores.length, 1)
    t.equal(ledgers.length, 1)
    const [eventStoreName, eventStore] = eventStores[0]!
    t.equal(eventStore.environment?.EVENTSTORE_CLUSTER_SIZE, '1', 'a single node')
    t.same(
      eventStore.ports?.map(parsePort).map((port) => [port.hostPort, port.containerPort]),
      [[2113, 2113]],
    )
    const [, ledger] = ledgers[0]!
    t.same(
      ledger.ports?.map(parsePort).map((port) => [port.hostPort, port.containerPort]),
      [[3000, 3000]],
    )
    t.equal(ledger.environment?.LEDGER_STORE, `esdb://${eventStoreName}:2113?tls=false`)
    t.equal(
      ledger.environment?.LEDGER_TOKENS,
      '${LEDGER_TOKENS:-}',
      'write tokens from the environment, none by default',
    )
  })

  t.test('docker-compose.cluster.yml: three nodes and two ledger replicas', async (t) => {
    checkComposeFile(t, 'docker-compose.cluster.yml', cluster, keyPath)
    const nodes = Object.entries(cluster.services).filter(([, service]) => isEventStore(service))
    const ledgers = Object.entries(cluster.services).filter(([, service]) => isLedger(service))
    t.equal(nodes.length, 3, 'three EventStoreDB nodes')
    t.equal(new Set(nodes.map(([, node]) => node.image)).size, 1, 'all on one release')

    const networkName = Object.keys(cluster.networks ?? {})[0]
    t.equal(Object.keys(cluster.networks ?? {}).length, 1, 'one cluster network')
    const ipam = cluster.networks?.[networkName!]?.ipam.config[0]
    t.ok(ipam?.subnet, 'with a fixed subnet')

    const addressOf = new Map<string, string>()
    for (const [nodeName, node] of nodes) {
      const env = node.environment ?? {}
      t.equal(env.EVENTSTORE_CLUSTER_SIZE, '3', `${nodeName}: cluster size 3`)
      t.equal(env.EVENTSTORE_DISCOVER_VIA_DNS, 'false', `${nodeName}: gossip seeds, not DNS`)
      const networks = node.networks
      const address = Array.isArray(networks) ? undefined : networks?.[networkName!]?.ipv4_address
      t.ok(
        address !== undefined && inCidr(address, ipam!.subnet),
        `${nodeName}: a fixed address in ${ipam?.subnet}`,
      )
      if (ipam?.ip_range !== undefined && address !== undefined) {
        t.notOk(
          inCidr(address, ipam.ip_range),
          `${nodeName}: outside the range handed to other containers`,
        )
      }
      t.equal(env.EVENTSTORE_NODE_IP, address, `${nodeName}: listens on its address`)
      t.equal(env.EVENTSTORE_REPLICATION_IP, address, `${nodeName}: replicates on its address`)
      t.equal(
        env.EVENTSTORE_ADVERTISE_HOST_TO_CLIENT_AS,
        nodeName,
        `${nodeName}: tells clients its service name`,
      )
      addressOf.set(nodeName, address ?? '')
    }
    t.equal(new Set(addressOf.values()).size, 3, 'distinct addresses')
    t.equal(
      new Set(
        nodes.flatMap(([, node]) => node.ports?.map((port) => parsePort(port).hostPort) ?? []),
      ).size,
      3,
      'distinct host ports',
    )

    const serviceAt = new Map([...addressOf].map(([nodeName, address]) => [address, nodeName]))
    for (const [nodeName, node] of nodes) {
      const seeds = (node.environment?.EVENTSTORE_GOSSIP_SEED ?? '').split(',').map((seed) => {
        const [host = '', port] = seed.split(':')
        t.equal(port, '2113', `${nodeName}: gossips with ${host} on 2113`)
        return serviceAt.get(host) ?? host
      })
      t.same(
        seeds.sort(),
        nodes
          .map(([other]) => other)
          .filter((other) => other !== nodeName)
          .sort(),
        `${nodeName}: its gossip seeds are the other two nodes`,
      )
    }

    t.equal(ledgers.length, 2, 'two ledger replicas')
    t.same(
      ledgers.map(([, ledger]) => ledger.ports?.map(parsePort).map((port) => port.hostPort)).sort(),
      [[3001], [3002]],
      'published on 3001 and 3002',
    )
    const [first, second] = ledgers.map(([, ledger]) => ledger)
    t.equal(
      first?.environment?.LEDGER_SIGNING_KEY,
      second?.environment?.LEDGER_SIGNING_KEY,
      'the same LEDGER_SIGNING_KEY',
    )
    t.same(first?.secrets, second?.secrets, 'from the same secret')
    t.equal(first?.environment?.LEDGER_STORE, second?.environment?.LEDGER_STORE, 'the same store')
    const hosts = parseConnectionString(first?.environment?.LEDGER_STORE ?? '').hosts.map(
      (host) => host.address,
    )
    t.same(
      hosts.sort(),
      nodes.map(([nodeName]) => nodeName).sort(),
      'every node is a seed of the connection string',
    )
    for (const [ledgerName, ledger] of ledgers) {
      const networks = Array.isArray(ledger.networks)
        ? ledger.networks
        : Object.keys(ledger.networks ?? {})
      t.same(networks, [networkName], `${ledgerName}: on the cluster network`)
    }
  })
})

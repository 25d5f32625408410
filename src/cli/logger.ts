import { pino, type Logger } from 'pino'

/** JSON lines by default; pretty in a terminal unless NODE_ENV=production. Tokens are never logged. */
export function createLogger(level: string, destination: 'stdout' | 'stderr' = 'stdout'): Logger {
  const fd = destination === 'stdout' ? 1 : 2
  const tty = destination === 'stdout' ? process.stdout.isTTY : process.stderr.isTTY
  const redact = { paths: ['req.headers.authorization', 'headers.authorization', '*.token', 'token'], censor: '[redacted]' }
  if (tty === true && process.env.NODE_ENV !== 'production') {
    return pino({ level, redact, transport: { target: 'pino-pretty', options: { destination: fd, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } })
  }
  return pino({ level, redact }, pino.destination({ fd, sync: false }))
}

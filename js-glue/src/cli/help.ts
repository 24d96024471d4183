// The --help texts. Kept next to each other so the commands read alike.

export const MAIN_HELP = `pushsync: keep a chat session in sync from the command line (the extension's engine, in WebAssembly)

Usage:
  pushsync watch  --api URL --ws-host HOST --ws-port PORT --key KEY (--token T | --email E --password P) --session ID [options]
  pushsync record --out FILE  (the options of watch)
  pushsync replay --session ID [--input FILE]
  pushsync <command> --help

Commands:
  watch    connect like the extension does and print what happens, as NDJSON
  record   watch, and also write every received frame to a file that replay accepts
  replay   feed recorded frames to an engine, without network, and print the resulting messages

Exit codes: 0 ok, 1 failure (the message says why), 2 usage error.
`;

const CONNECT_OPTIONS = `  --api URL            the app server, e.g. http://127.0.0.1:3000 (REST, channel auth, login)
  --ws-host HOST       the Pusher-protocol server (Sockudo)
  --ws-port PORT       its port
  --ws-tls             connect with wss:// (default ws://)
  --key KEY            the Pusher app key
  --token TOKEN        the bearer token; or log in with:
  --email EMAIL        POST /api/auth/login {email, password} -> {accessToken}
  --password PASSWORD
  --session ID         the chat session to sync
  --protocol 7|2       7: Pusher protocol (default); 2: Sockudo V2 with resume
  --keepalive SECONDS  ping after this much silence (default 20, as in the extension's service worker)
  --duration SECONDS   stop after this long (default: until SIGINT or SIGTERM)
  -h, --help           this help`;

const WATCH_OUTPUT = `Output, one JSON object a line:
  {"type":"state","state":"connected","reason":""}
  {"type":"message","sessionId":"s1","change":"inserted"|"updated","message":{"messageId":...}}
  {"type":"typing","sessionId":"s1","isTyping":true,"context":"thinking"}
  {"type":"error","code":"http_failed","message":"..."}
and on exit (duration elapsed, SIGINT or SIGTERM), the store in order:
  {"type":"snapshot","sessionId":"s1","messages":[...]}`;

export const WATCH_HELP = `Usage: pushsync watch --api URL --ws-host HOST --ws-port PORT --key KEY (--token T | --email E --password P) --session ID [options]

Connects like the extension does and prints what happens as NDJSON on stdout.

Options:
${CONNECT_OPTIONS}

${WATCH_OUTPUT}

Example:
  pushsync watch --api http://127.0.0.1:3000 --ws-host 127.0.0.1 --ws-port 3005 --key pushsync-key \\
    --email demo@example.com --password demo --session s1 --duration 60
`;

export const RECORD_HELP = `Usage: pushsync record --out FILE --api URL --ws-host HOST --ws-port PORT --key KEY (--token T | --email E --password P) --session ID [options]

Like watch, and writes every frame received on the socket to FILE, one a line, exactly as it
arrived: \`pushsync replay --session ID --input FILE\` plays it back without network.

Options:
  --out FILE           where the frames go (replaced)
${CONNECT_OPTIONS}

${WATCH_OUTPUT}
`;

export const REPLAY_HELP = `Usage: pushsync replay --session ID [--input FILE]

Feeds recorded Pusher frames, one JSON object a line exactly as it arrived on the socket
({"event":...,"channel":...,"data":"..."}), to an engine subscribed to the session, without
network. Prints the final store in order, one message a line:
  {"id":"m1","sequenceNumber":1,"role":"user","content":"...","status":"sent","timestamp":"..."}
and last:
  {"stats":{"frames":N,"messages":M,"rejected":R,"ms":T}}
where frames counts the non-blank lines, rejected the lines that are not JSON objects or that the
engine refused (each is reported on stderr with its line number; the run goes on), and ms the
time spent applying frames.

Options:
  --session ID     the session the frames belong to (its channel is private-session-ID)
  --input FILE     the NDJSON file (default: standard input; "-" too)
  -h, --help       this help

Example:
  pushsync record --out frames.ndjson ... --session s1 --duration 300
  pushsync replay --session s1 --input frames.ndjson > store.ndjson
`;

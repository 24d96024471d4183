// The storage layer: the only module that knows SQL. Routes call the async methods of the object
// `openStore` returns and get plain objects back, so another database (PostgreSQL) can be added
// behind the same methods without touching a route.
//
// SQLite through better-sqlite3: one file, WAL mode (readers never wait for the writer), and every
// write that must be all-or-nothing in one IMMEDIATE transaction (takes the write lock first, so
// two processes sharing the file cannot interleave a read-then-write).
//
// Sequence numbers come from `sessions.last_sequence`, incremented in the same transaction that
// inserts the message: per session, strictly increasing from 1, no gaps, never reused.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { isoTime } from './clock.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  title TEXT NOT NULL,
  status TEXT NOT NULL,
  last_sequence INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id, created_at);
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  sequence INTEGER NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  status TEXT NOT NULL,
  action_payload TEXT,
  error_code TEXT,
  error_message TEXT,
  client_message_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (session_id, sequence),
  UNIQUE (session_id, client_message_id)
);
CREATE INDEX messages_by_update ON messages(session_id, updated_at);
-- One row per POST /api/agent/interact: what a retry with the same clientMessageId answers.
CREATE TABLE turns (
  task_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  user_message_id TEXT NOT NULL UNIQUE REFERENCES messages(id),
  assistant_message_id TEXT REFERENCES messages(id),
  action TEXT NOT NULL,
  thought TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
`;

/**
 * Opens (creating when needed) the database at `dbPath`.
 * @param {{dbPath: string, clock: {tick(): number}}} options
 */
export function openStore({ dbPath, clock }) {
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // durable at each WAL checkpoint; enough for a reference server
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000'); // another process holding the write lock: wait, do not fail
  migrate(db);

  const sql = prepareStatements(db);

  // Inserts one message, taking the session's next sequence number. Call inside a transaction.
  function insertMessage(sessionId, input, now) {
    const { last_sequence: sequence } = sql.nextSequence.get(now, sessionId);
    const row = {
      id: randomUUID(),
      session_id: sessionId,
      sequence,
      role: input.role,
      content: input.content,
      status: input.status,
      action_payload: input.actionPayload === undefined ? null : JSON.stringify(input.actionPayload),
      error_code: input.error?.code ?? null,
      error_message: input.error?.message ?? null,
      client_message_id: input.clientMessageId ?? null,
      created_at: now,
      updated_at: now,
    };
    sql.insertMessage.run(row);
    return row;
  }

  function updateMessageRow(sessionId, messageId, { status, error }, now) {
    const changed = sql.updateMessage.run({
      session_id: sessionId, id: messageId, status, updated_at: now,
      error_code: error?.code ?? null, error_message: error?.message ?? null,
    });
    return changed.changes ? sql.message.get(sessionId, messageId) : undefined;
  }

  const appendMessages = db.transaction((sessionId, inputs) => {
    const now = clock.tick(); // one time for the whole batch: it becomes visible all at once
    return inputs.map((input) => insertMessage(sessionId, input, now));
  });

  const startTurn = db.transaction((sessionId, { content, clientMessageId, action, thought }) => {
    if (clientMessageId !== undefined) {
      const existing = sql.messageByClientId.get(sessionId, clientMessageId);
      if (existing) return { replayed: true, user: existing, turn: sql.turnByUserMessage.get(existing.id) };
    }
    const now = clock.tick();
    const user = insertMessage(sessionId, { role: 'user', content, status: 'sent', clientMessageId }, now);
    const turn = { task_id: randomUUID(), session_id: sessionId, user_message_id: user.id, action, thought, status: 'running', created_at: now, updated_at: now };
    sql.insertTurn.run(turn);
    return { replayed: false, user, turn };
  });

  const addAssistantMessage = db.transaction((taskId, input) => {
    const turn = sql.turn.get(taskId);
    const message = insertMessage(turn.session_id, { ...input, role: 'assistant' }, clock.tick());
    sql.setTurnAssistant.run(message.id, message.updated_at, taskId);
    return message;
  });

  const completeTurn = db.transaction((taskId, { status, message: input }) => {
    const turn = sql.turn.get(taskId);
    const now = clock.tick();
    const message = insertMessage(turn.session_id, { ...input, role: 'assistant' }, now);
    sql.setTurnAssistant.run(message.id, now, taskId);
    sql.setTurnStatus.run(status, now, taskId);
    return message;
  });

  const finishTurn = db.transaction((taskId, { status, messageStatus, error }) => {
    const turn = sql.turn.get(taskId);
    const now = clock.tick();
    const message = updateMessageRow(turn.session_id, turn.assistant_message_id, { status: messageStatus, error }, now);
    sql.setTurnStatus.run(status, now, taskId);
    return message;
  });

  return {
    close: () => db.close(),

    // --- users ---
    async countUsers() { return sql.countUsers.get().count; },
    /** Creates the user unless the email exists (two processes may seed at once); answers the stored one. */
    async ensureUser({ email, passwordHash }) {
      const user = { id: randomUUID(), email: email.toLowerCase(), password_hash: passwordHash, created_at: clock.tick() };
      sql.insertUser.run(user);
      return toUser(sql.userByEmail.get(user.email));
    },
    async findUserByEmail(email) { return toUser(sql.userByEmail.get(String(email).toLowerCase())); },
    async findUserById(id) { return toUser(sql.userById.get(id)); },

    // --- sessions ---
    async createSession(userId, title) {
      const now = clock.tick();
      const row = { id: randomUUID(), user_id: userId, title, status: 'active', created_at: now, updated_at: now };
      sql.insertSession.run(row);
      return toSession(row);
    },
    async listSessions(userId) { return sql.sessionsOfUser.all(userId).map(toSession); },
    async getSession(id) { return toSession(sql.session.get(id)); },
    async setSessionStatus(id, status) {
      sql.setSessionStatus.run(status, clock.tick(), id);
      return toSession(sql.session.get(id));
    },

    // --- messages ---
    /** Stores messages in one transaction; answers them with their sequence numbers. */
    async appendMessages(sessionId, inputs) { return appendMessages.immediate(sessionId, inputs).map(toMessage); },
    async getMessage(sessionId, messageId) { return toMessage(sql.message.get(sessionId, messageId)); },
    /** Changes a message's status (and error); undefined when the message is not in the session. */
    async updateMessage(sessionId, messageId, change) {
      const run = db.transaction(() => updateMessageRow(sessionId, messageId, change, clock.tick()));
      return toMessage(run.immediate());
    },
    /**
     * One page of a session's messages, ascending by sequence number.
     * Without a cursor: the newest `limit` (hasMore: older ones exist). With `afterSequence`
     * and/or `sinceMs`: the first `limit` with a higher sequence and/or a later update (hasMore:
     * more match after them).
     */
    async listMessages(sessionId, { limit, afterSequence, sinceMs }) {
      const cursor = afterSequence !== undefined || sinceMs !== undefined;
      const rows = cursor
        ? sql.messagesAfter.all(sessionId, afterSequence ?? 0, sinceMs ?? -1, limit + 1)
        : sql.newestMessages.all(sessionId, limit + 1).reverse();
      const hasMore = rows.length > limit;
      if (hasMore) cursor ? rows.pop() : rows.shift();
      return { messages: rows.map(toMessage), hasMore };
    },

    /**
     * The roadmap dialect (profile.js): at most `limit` messages created after `sinceMs` (all
     * when absent), the newest ones (`fromNewest`) or the oldest ones, answered ascending by
     * sequence number. No hasMore: that dialect has none.
     */
    async listMessagesCreatedAfter(sessionId, { limit, sinceMs, fromNewest }) {
      const rows = fromNewest
        ? sql.newestCreatedAfter.all(sessionId, sinceMs ?? -1, limit).reverse()
        : sql.oldestCreatedAfter.all(sessionId, sinceMs ?? -1, limit);
      return rows.map(toMessage);
    },

    // --- assistant turns (POST /api/agent/interact) ---
    /**
     * Stores the user's message and a running turn, or, when `clientMessageId` was seen before in
     * this session, answers what was stored then (`replayed: true`) and stores nothing.
     */
    async startTurn(sessionId, input) {
      const { replayed, user, turn } = startTurn.immediate(sessionId, input);
      return { replayed, userMessage: toMessage(user), turn: toTurn(turn) };
    },
    async addAssistantMessage(taskId, input) { return toMessage(addAssistantMessage.immediate(taskId, input)); },
    /** Ends a turn: its status, and the assistant message's final status and error. */
    async finishTurn(taskId, result) { return toMessage(finishTurn.immediate(taskId, result)); },
    /**
     * Ends a turn in one step: its status, and the assistant message stored already in its final
     * status (never pending, never updated later; the roadmap profile's turn).
     */
    async completeTurn(taskId, result) { return toMessage(completeTurn.immediate(taskId, result)); },
    async getMessageById(messageId) { return toMessage(sql.messageById.get(messageId)); },

    /**
     * Marks turns a crash left running as failed (and their pending assistant messages), so
     * clients do not wait forever for an update that will never come. Call once at start-up.
     */
    async failInterruptedTurns(error) {
      const run = db.transaction(() => {
        const now = clock.tick();
        const stuck = sql.runningTurns.all();
        for (const turn of stuck) {
          if (turn.assistant_message_id) updateMessageRow(turn.session_id, turn.assistant_message_id, { status: 'failure', error }, now);
          sql.setTurnStatus.run('failed', now, turn.task_id);
        }
        return stuck.length;
      });
      return run.immediate();
    },
  };
}

function migrate(db) {
  // Checked inside the write transaction, so two processes opening a new file at once do not
  // both create the tables.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true });
    if (version === SCHEMA_VERSION) return;
    if (version !== 0) throw new Error(`database schema version ${version} is newer than this server (${SCHEMA_VERSION})`);
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

function prepareStatements(db) {
  const messageColumns = 'id, session_id, sequence, role, content, status, action_payload, error_code, error_message, client_message_id, created_at, updated_at';
  return {
    countUsers: db.prepare('SELECT count(*) AS count FROM users'),
    insertUser: db.prepare('INSERT INTO users (id, email, password_hash, created_at) VALUES (@id, @email, @password_hash, @created_at) ON CONFLICT (email) DO NOTHING'),
    userByEmail: db.prepare('SELECT * FROM users WHERE email = ?'),
    userById: db.prepare('SELECT * FROM users WHERE id = ?'),

    insertSession: db.prepare('INSERT INTO sessions (id, user_id, title, status, created_at, updated_at) VALUES (@id, @user_id, @title, @status, @created_at, @updated_at)'),
    sessionsOfUser: db.prepare('SELECT * FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id'),
    session: db.prepare('SELECT * FROM sessions WHERE id = ?'),
    setSessionStatus: db.prepare('UPDATE sessions SET status = ?, updated_at = ? WHERE id = ?'),
    nextSequence: db.prepare('UPDATE sessions SET last_sequence = last_sequence + 1, updated_at = ? WHERE id = ? RETURNING last_sequence'),

    insertMessage: db.prepare(`INSERT INTO messages (${messageColumns}) VALUES (@id, @session_id, @sequence, @role, @content, @status, @action_payload, @error_code, @error_message, @client_message_id, @created_at, @updated_at)`),
    updateMessage: db.prepare('UPDATE messages SET status = @status, error_code = @error_code, error_message = @error_message, updated_at = @updated_at WHERE session_id = @session_id AND id = @id'),
    message: db.prepare('SELECT * FROM messages WHERE session_id = ? AND id = ?'),
    messageById: db.prepare('SELECT * FROM messages WHERE id = ?'),
    messageByClientId: db.prepare('SELECT * FROM messages WHERE session_id = ? AND client_message_id = ?'),
    newestMessages: db.prepare('SELECT * FROM messages WHERE session_id = ? ORDER BY sequence DESC LIMIT ?'),
    messagesAfter: db.prepare('SELECT * FROM messages WHERE session_id = ? AND sequence > ? AND updated_at > ? ORDER BY sequence ASC LIMIT ?'),
    newestCreatedAfter: db.prepare('SELECT * FROM messages WHERE session_id = ? AND created_at > ? ORDER BY sequence DESC LIMIT ?'),
    oldestCreatedAfter: db.prepare('SELECT * FROM messages WHERE session_id = ? AND created_at > ? ORDER BY sequence ASC LIMIT ?'),

    insertTurn: db.prepare('INSERT INTO turns (task_id, session_id, user_message_id, action, thought, status, created_at, updated_at) VALUES (@task_id, @session_id, @user_message_id, @action, @thought, @status, @created_at, @updated_at)'),
    turn: db.prepare('SELECT * FROM turns WHERE task_id = ?'),
    turnByUserMessage: db.prepare('SELECT * FROM turns WHERE user_message_id = ?'),
    setTurnAssistant: db.prepare('UPDATE turns SET assistant_message_id = ?, updated_at = ? WHERE task_id = ?'),
    setTurnStatus: db.prepare('UPDATE turns SET status = ?, updated_at = ? WHERE task_id = ?'),
    runningTurns: db.prepare("SELECT * FROM turns WHERE status = 'running'"),
  };
}

// --- rows to the objects the routes use (and the wire shapes) ---

function toUser(row) {
  return row && { id: row.id, email: row.email, passwordHash: row.password_hash };
}

function toSession(row) {
  return row && {
    sessionId: row.id,
    userId: row.user_id,
    title: row.title,
    status: row.status,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

/** The message wire shape: `{messageId, role, content, status, timestamp, sequenceNumber, updatedAt, ...}`. */
function toMessage(row) {
  if (!row) return undefined;
  const message = {
    messageId: row.id,
    role: row.role,
    content: row.content,
    status: row.status,
    timestamp: isoTime(row.created_at),
    sequenceNumber: row.sequence,
    updatedAt: isoTime(row.updated_at),
  };
  if (row.action_payload !== null) message.actionPayload = JSON.parse(row.action_payload);
  if (row.error_code !== null) message.error = { code: row.error_code, message: row.error_message };
  if (row.client_message_id !== null) message.clientMessageId = row.client_message_id;
  return message;
}

function toTurn(row) {
  return row && {
    taskId: row.task_id,
    sessionId: row.session_id,
    userMessageId: row.user_message_id,
    assistantMessageId: row.assistant_message_id ?? undefined,
    action: row.action,
    thought: row.thought,
    status: row.status,
  };
}

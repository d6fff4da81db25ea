// Configuration of one emulator instance, with the defaults of spec/README.md ("Defaults of a
// fresh emulator"). The CLI and the in-process API both end up here.

export interface UserSeed {
  name: string;
  password: string;
  /** logical name of the user's role in the default workspace (default: workspace admin) */
  role?: string;
}

export interface ApiKeySeed {
  clientId: string;
  clientSecret: string;
}

export interface EmulatorConfig {
  /** SQLite file, or ':memory:' */
  db: string;
  /** default and maximum page size */
  pageSizeDefault: number;
  pageSizeMax: number;
  /** session idle timeout and absolute lifetime, in milliseconds */
  sessionIdleTimeoutMs: number;
  sessionMaxLifetimeMs: number;
  /** the site admin created in a fresh database */
  siteAdmin: UserSeed;
  /** the API key created in a fresh database */
  apiKey: ApiKeySeed;
  /** further users and API keys, created at start when missing (`--user`, `--api-key`) */
  users: UserSeed[];
  apiKeys: ApiKeySeed[];
  /** ids and name of the default shared space and workspace */
  sharedSpaceId: number;
  workspaceId: number;
  workspaceName: string;
  /** largest request body accepted, in bytes */
  bodyLimit: number;
  /** largest attachment accepted, in bytes */
  attachmentMaxBytes: number;
  /** file extensions attachments may have (Octane's ATTACHMENTS_FILE_EXTENSION_WHITE_LIST) */
  attachmentExtensions: string[];
  /** how long a CI plugin's poll for tasks is held before "no task" (204), in milliseconds */
  ciTaskPollMs: number;
  /** load the demo workspace (fixtures/demo.json) into a fresh database */
  demo: boolean;
  /** fixture files (or folders of them) loaded into the default workspace of a fresh database */
  fixtures: string[];
  /** start from an empty database even if the file exists */
  reset: boolean;
  /** the admin API under /__admin/: off, open, or protected by a token */
  admin: { enabled: boolean; token?: string };
  /** how many requests the admin API's request journal keeps */
  journalSize: number;
  /** report the progress of long start-up work on stderr (the CLI does; in-process use does not) */
  showProgress: boolean;
}

/** Octane's default attachment extension allow-list. */
export const DEFAULT_ATTACHMENT_EXTENSIONS = [
  'jpg', 'bmp', 'png', 'word', 'doc', 'docx', 'msg', 'pdf', 'xml', 'xls', 'xlsx', 'ppt', 'pptx', 'zip', 'txt',
  'wmv', 'mp4', 'm4p', 'mkv', 'vob', 'log', 'wrf', 'fbr', 'jpeg',
];

export const DEFAULT_CONFIG: EmulatorConfig = {
  db: 'data/octane-emulator.db',
  pageSizeDefault: 100,
  pageSizeMax: 2000,
  sessionIdleTimeoutMs: 3 * 60 * 60 * 1000,
  sessionMaxLifetimeMs: 24 * 60 * 60 * 1000,
  siteAdmin: { name: 'sa@nga', password: 'Welcome1' },
  apiKey: { clientId: 'octane_emulator_client', clientSecret: 'octane-emulator-secret' },
  users: [],
  apiKeys: [],
  sharedSpaceId: 1001,
  workspaceId: 1002,
  workspaceName: 'default_workspace',
  bodyLimit: 50 * 1024 * 1024,
  attachmentMaxBytes: 50 * 1024 * 1024,
  attachmentExtensions: DEFAULT_ATTACHMENT_EXTENSIONS,
  ciTaskPollMs: 10_000,
  demo: false,
  fixtures: [],
  reset: false,
  admin: { enabled: true },
  journalSize: 1000,
  showProgress: false,
};

export function resolveConfig(partial: Partial<EmulatorConfig> = {}): EmulatorConfig {
  return {
    ...DEFAULT_CONFIG,
    ...partial,
    siteAdmin: { ...DEFAULT_CONFIG.siteAdmin, ...partial.siteAdmin },
    apiKey: { ...DEFAULT_CONFIG.apiKey, ...partial.apiKey },
    admin: { ...DEFAULT_CONFIG.admin, ...partial.admin },
  };
}

/** `name:password[:role]` as given to --user. */
export function parseUserSeed(text: string): UserSeed {
  const [name, password, role, ...rest] = text.split(':');
  if (!name || password === undefined || password === '' || rest.length) throw new Error(`expected name:password[:role], got '${text}'`);
  return { name, password, ...(role ? { role } : {}) };
}

/** `client_id:secret` as given to --api-key. */
export function parseApiKeySeed(text: string): ApiKeySeed {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new Error(`expected client_id:secret, got '${text}'`);
  return { clientId: text.slice(0, colon), clientSecret: text.slice(colon + 1) };
}

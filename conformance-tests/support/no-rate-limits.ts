// Rate limits off for test servers (in-process and as a process): test clients send far faster
// than people, and an in-process test's fixed clock never refills a bucket. A test of the limits
// sets its own CAIRN_RATE_LIMIT_* values over these.
export const NO_RATE_LIMITS: NodeJS.ProcessEnv = Object.fromEntries(
  [
    'messages',
    'joins',
    'invites',
    'login',
    'failed_login',
    'registration',
    'media_uploads',
    'siwe_nonce',
    'messages_per_ip',
    'media_uploads_per_ip',
  ].map((name) => [`CAIRN_RATE_LIMIT_${name.toUpperCase()}_PER_SECOND`, '0']),
);

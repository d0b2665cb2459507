// Small server-wide values that need no table of their own (instance id, registration nonces).
export interface ServerMetadataTable {
  key: string;
  value: string;
}

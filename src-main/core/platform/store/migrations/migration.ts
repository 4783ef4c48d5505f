// Migration N brings a store from user_version N-1 to N inside one transaction (store.ts).
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

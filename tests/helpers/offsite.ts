// A backup big enough that an offsite copy of it is a multipart upload, shared by the offsite
// tests: a shop database with a table of random payloads (they do not compress, so the
// custom-format dump stays over one 8 MiB part), its profile, and a verified backup of it.
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import type { CoreCalls } from './core';
import type { TestPg } from './pg';
import { backupAndWait } from './restore';
import { createShopDatabase, type ShopDatabase } from './shop-db';

export interface MultipartBackup {
  shopDb: ShopDatabase;
  shop: Profile;
  entry: BackupEntry;
}

/** `rows` × 256 random bytes: 40,000 rows make a dump of about 10 MiB. */
export async function multipartSizedBackup(
  core: Core,
  calls: CoreCalls,
  pg: TestPg,
  options: { prefix: string; profileName: string; rows: number; outDir: string },
): Promise<MultipartBackup> {
  const shopDb = await createShopDatabase(pg, options.prefix, async (c) => {
    await c.query(`CREATE TABLE blobs AS SELECT g AS id, decode(string_agg(md5(random()::text), ''), 'hex') AS payload
                   FROM generate_series(1, ${Math.trunc(options.rows)}) g, generate_series(1, 16) k GROUP BY g`);
  });
  try {
    const input: Partial<ProfileInput> = {
      name: options.profileName,
      host: pg.host,
      port: pg.port,
      database: shopDb.database,
      user: shopDb.role,
      sslmode: 'disable',
      env: 'development',
      readOnly: false,
    };
    const shop = await calls.ok<Profile>('createProfile', { profile: input, password: shopDb.password });
    const entry = await backupAndWait(core, calls, { profileId: shop.id, outDir: options.outDir, format: 'custom' });
    return { shopDb, shop, entry };
  } catch (err) {
    await shopDb.dispose();
    throw err;
  }
}

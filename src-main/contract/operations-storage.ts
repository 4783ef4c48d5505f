// The storage part of the one API contract: Supabase Storage snapshots (issue #18): back up a project's buckets into local snapshot folders, incrementally, check them against storage.objects and restore them into a bucket. Spread into `operations`.
export const storageOperations = {} as const;

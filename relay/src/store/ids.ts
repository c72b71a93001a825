import { randomBytes } from 'node:crypto';

/** 16 hex chars (64 random bits): unguessable enough for ids that are never secrets. */
export function newRecordId(): string {
  return randomBytes(8).toString('hex');
}

import { S3Client } from '@aws-sdk/client-s3';
import type { RampConfig } from '../config.ts';
import type { ArtifactStore } from './artifact-store.ts';
import { createFileArtifactStore } from './file-artifact-store.ts';
import { createS3ArtifactStore, parseArtifactStoreUrl } from './s3-artifact-store.ts';

/**
 * The artifact store RAMP_ARTIFACT_STORE names. Both the API (which stages zips) and the worker (which
 * reads them) build it, so it lives here and not in either process's entry: the API must not load
 * @temporalio/worker.
 */
export function createArtifactStore(config: Pick<RampConfig, 'artifactStore' | 'region'>): ArtifactStore {
  const location = parseArtifactStoreUrl(config.artifactStore);
  return location.kind === 'file'
    ? createFileArtifactStore(location.directory)
    : createS3ArtifactStore(new S3Client({ region: config.region }), location.bucket, location.prefix);
}

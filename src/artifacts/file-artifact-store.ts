import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ArtifactMissingError,
  type ArtifactStore,
  describeArtifact,
  type StagedArtifact,
  verifyArtifact,
} from './artifact-store.ts';

/** A local directory: for the local stack and tests, where API and worker share one disk. */
export function createFileArtifactStore(directory: string): ArtifactStore {
  return {
    location: pathToFileURL(directory).href,
    async put(bytes) {
      const artifact = describeArtifact(bytes);
      const path = join(directory, artifact.key);
      await mkdir(dirname(path), { recursive: true });
      // Write then rename, so a reader never sees half a zip. A name of its own per write: two puts of
      // the same zip at once (a train staging its targets) must not rename each other's file away.
      const partial = `${path}.${process.pid}.${randomUUID()}.partial`;
      await writeFile(partial, bytes);
      await rename(partial, path);
      return artifact;
    },
    async get(artifact: Pick<StagedArtifact, 'key' | 'codeSha256'>) {
      try {
        return verifyArtifact(await readFile(join(directory, artifact.key)), artifact);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new ArtifactMissingError(`Artifact ${artifact.key} is not in ${directory}`);
        }
        throw error;
      }
    },
  };
}

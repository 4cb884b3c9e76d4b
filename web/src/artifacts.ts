// A job's images, fetched from its provider's endpoint and shown only once their SHA-256 matches
// the receipt: the receipt's `artifact_sha256` is the image itself for a job of one image, or the
// manifest of its images (their SHA-256s, concatenated in seed order) for a shard of several.
import { sha256AsU8a } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';

const MANIFEST_ENTRY_LEN = 32;
/** How long a provider has to send an artifact. */
const FETCH_TIMEOUT_MS = 30_000;
/** The largest artifact the page reads (a 2048×2048 PNG is well under it). */
const MAX_ARTIFACT_BYTES = 32 * 2 ** 20;

export class ArtifactError extends Error {
  constructor(
    message: string,
    readonly mismatch = false,
  ) {
    super(message);
  }
}

const hex = (bytes: Uint8Array) => u8aToHex(bytes, -1, false);

/** `{endpoint}/v1/artifacts/{sha256}`, returned only if its SHA-256 is `sha256Hex`. */
export async function fetchVerified(endpoint: string, sha256Hex: string): Promise<Uint8Array> {
  const want = sha256Hex.replace(/^0x/, '').toLowerCase();
  const url = `${endpoint.replace(/\/+$/, '')}/v1/artifacts/${want}`;
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new ArtifactError(`The provider's endpoint ${endpoint} did not answer within ${FETCH_TIMEOUT_MS / 1000} s.`);
    }
    throw new ArtifactError(`The provider's endpoint ${endpoint} cannot be reached (offline, or it does not allow this page to read it).`);
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_ARTIFACT_BYTES) {
    throw new ArtifactError(`The provider offers ${length} bytes for one artifact, more than the ${MAX_ARTIFACT_BYTES / 2 ** 20} MiB this page reads.`);
  }
  if (!response.ok) {
    throw new ArtifactError(`The provider's endpoint answered ${response.status} ${response.statusText} for the artifact ${want.slice(0, 12)}….`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const got = hex(sha256AsU8a(bytes));
  if (got !== want) {
    throw new ArtifactError(
      `The provider sent ${bytes.length} bytes whose SHA-256 is ${got.slice(0, 16)}…, but the receipt says ${want.slice(0, 16)}…: not the image that was paid for, so it is not shown.`,
      true,
    );
  }
  return bytes;
}

export interface VerifiedImage {
  sha256: string;
  bytes: Uint8Array;
}

/** The `images` images of a receipt's artifact, each checked. */
export async function fetchReceiptedImages(endpoint: string, artifactSha256: string, images: number): Promise<VerifiedImage[]> {
  const artifact = await fetchVerified(endpoint, artifactSha256);
  if (images <= 1) return [{ sha256: artifactSha256.replace(/^0x/, ''), bytes: artifact }];
  if (artifact.length !== images * MANIFEST_ENTRY_LEN) {
    throw new ArtifactError(`The artifact is not a manifest of ${images} images (${artifact.length} bytes).`, true);
  }
  const entries = Array.from({ length: images }, (_, i) => hex(artifact.subarray(i * MANIFEST_ENTRY_LEN, (i + 1) * MANIFEST_ENTRY_LEN)));
  return Promise.all(entries.map(async (sha256) => ({ sha256, bytes: await fetchVerified(endpoint, sha256) })));
}

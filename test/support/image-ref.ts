// Splits an image reference into its parts, to check that images are pinned.
export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(ref: string): ImageRef {
  const [withoutDigest = '', digest] = ref.split('@', 2);
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1); // a colon before the last slash is a registry port
  if (colon < 0) return { name: withoutDigest, digest };
  return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
}

/** Why the reference is not pinned, or undefined when it is (a version tag, or a digest). */
export function unpinnedReason(ref: string): string | undefined {
  const { tag, digest } = parseImageRef(ref);
  if (digest) return undefined;
  if (!tag) return `${ref} has no tag`;
  if (tag === 'latest') return `${ref} uses the tag latest`;
  return undefined;
}

// Root hooks of `npm run test:container`: one engine check, base images, one image build for every file.
import { buildImage, ensureBaseImages, requireEngine, run } from '../support/docker.js';
import { buildArgs, runtimeImage } from './images.js';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    // A cold build (npm ci inside, lint, unit tests) takes minutes on two shared cores; a warm one seconds.
    this.timeout(15 * 60 * 1000);
    await requireEngine();
    await ensureBaseImages();
    await buildImage({ tag: runtimeImage, buildArgs });
  },
  async afterAll(): Promise<void> {
    // Only the tag goes: its layers stay in the build cache for the next run. No image: the build failed.
    const removed = await run('docker', ['image', 'rm', runtimeImage]);
    if (removed.code !== 0 && !/no such image/i.test(removed.stderr)) throw new Error(removed.stderr);
  },
};

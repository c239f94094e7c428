import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readBuildInfo } from '../../src/version.js';

describe('build info (GET /version)', () => {
  let dir: string;
  let root: URL;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pt-build-info-'));
    root = pathToFileURL(`${dir}/`);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'page-tracker', version: '1.2.3' }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the version from package.json and says "unknown" for commit and date outside an image', () => {
    expect(readBuildInfo(root)).to.deep.equal({ version: '1.2.3', commit: 'unknown', buildDate: 'unknown', node: process.version });
  });

  it('takes commit and build date from the build-info.json the Dockerfile writes', () => {
    writeFileSync(join(dir, 'build-info.json'), JSON.stringify({ commit: 'abc1234', buildDate: '2026-12-01T10:00:00Z' }));
    expect(readBuildInfo(root)).to.deep.include({ commit: 'abc1234', buildDate: '2026-12-01T10:00:00Z' });
  });

  it('refuses a build-info.json that is not JSON, naming the file', () => {
    writeFileSync(join(dir, 'build-info.json'), 'commit=abc');
    expect(() => readBuildInfo(root)).to.throw(/build-info\.json is not valid JSON/);
  });
});

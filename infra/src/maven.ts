import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
  renameSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { commandOutput, StackError } from './errors.js';

const run = promisify(execFile);

export interface MavenDependency {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
}

async function mvn(args: string[], cwd: string, what: string): Promise<void> {
  try {
    await run('mvn', ['-B', '-q', ...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new StackError(
        'Maven (mvn) is not installed; the launcher resolves Kafka and the registry from Maven Central with it.',
        'Install it (Debian: apt-get install maven) and run the command again.',
      );
    }
    const output = commandOutput(error)
      .split('\n')
      .filter((l) => l.includes('ERROR'));
    throw new StackError(
      `Could not resolve ${what} from Maven Central.`,
      'Check that Maven Central is reachable (proxy settings in ~/.m2/settings.xml) and run the command again.',
      output.slice(0, 8).join('\n'),
      { cause: error },
    );
  }
}

/** Copies the dependencies, with their transitive closure, into `targetDir` (done once, then cached). */
export async function resolveClasspath(
  dependencies: readonly MavenDependency[],
  targetDir: string,
): Promise<string> {
  const done = path.join(targetDir, '.complete');
  if (existsSync(done)) return path.join(targetDir, 'lib');
  const work = mkdtempSync(path.join(os.tmpdir(), 'orderflow-mvn-'));
  try {
    const deps = dependencies
      .map(
        (d) =>
          `<dependency><groupId>${d.groupId}</groupId><artifactId>${d.artifactId}</artifactId><version>${d.version}</version></dependency>`,
      )
      .join('\n    ');
    writeFileSync(
      path.join(work, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>orderflow.local</groupId><artifactId>stack-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    ${deps}
  </dependencies>
</project>
`,
    );
    const lib = path.join(work, 'lib');
    await mvn(
      ['dependency:copy-dependencies', `-DoutputDirectory=${lib}`],
      work,
      dependencies.map((d) => `${d.groupId}:${d.artifactId}:${d.version}`).join(', '),
    );
    rmSync(targetDir, { recursive: true, force: true });
    mkdirSync(targetDir, { recursive: true });
    renameSync(lib, path.join(targetDir, 'lib'));
    writeFileSync(done, new Date().toISOString());
    return path.join(targetDir, 'lib');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Downloads a `tar.gz` distribution artifact and unpacks it into `targetDir` (done once, then cached). */
export async function resolveDistribution(coordinates: string, targetDir: string): Promise<string> {
  const done = path.join(targetDir, '.complete');
  if (existsSync(done)) return targetDir;
  const work = mkdtempSync(path.join(os.tmpdir(), 'orderflow-mvn-'));
  try {
    await mvn(
      ['dependency:copy', `-Dartifact=${coordinates}`, `-DoutputDirectory=${work}`],
      work,
      coordinates,
    );
    const archive = readdirSync(work).find((f) => f.endsWith('.tar.gz'));
    if (!archive)
      throw new StackError(
        `Maven returned no archive for ${coordinates}.`,
        'Run the command again.',
      );
    rmSync(targetDir, { recursive: true, force: true });
    mkdirSync(targetDir, { recursive: true });
    await run('tar', ['xzf', path.join(work, archive), '-C', targetDir]);
    writeFileSync(done, new Date().toISOString());
    return targetDir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Downloads one artifact file (e.g. an executable jar) into `targetDir` (done once, then cached). */
export async function resolveArtifact(coordinates: string, targetDir: string): Promise<string> {
  const done = path.join(targetDir, '.complete');
  const file = () => readdirSync(targetDir).find((f) => f.endsWith('.jar'));
  if (existsSync(done)) {
    const cached = file();
    if (cached) return path.join(targetDir, cached);
  }
  rmSync(targetDir, { recursive: true, force: true });
  mkdirSync(targetDir, { recursive: true });
  await mvn(
    ['dependency:copy', `-Dartifact=${coordinates}`, `-DoutputDirectory=${targetDir}`],
    targetDir,
    coordinates,
  );
  const jar = file();
  if (!jar)
    throw new StackError(`Maven returned no jar for ${coordinates}.`, 'Run the command again.');
  writeFileSync(done, new Date().toISOString());
  return path.join(targetDir, jar);
}

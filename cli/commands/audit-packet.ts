import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonical } from '#shared/audit-trail/canonical.ts';
import { digestKey, segmentKey } from '#shared/audit-trail/segments.ts';
import { batchManifestKey } from '#shared/billing/batch-files.ts';
import { sha256Hex } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { agencyRole, PERSON_ROLES } from '#shared/topology.ts';
import { recordChartOpened } from '../lib/chart-access.ts';
import { writePrivate } from '../lib/files.ts';
import { packetHtml } from '../lib/packet-html.ts';
import type { Target } from '../lib/target.ts';
import { actAs } from '../local/iam-enforcement.ts';
import { handedOffManifest } from './audit.ts';
import { type ChartHistory, type HistoryLookup, readChartHistory } from './history.ts';

/** One chart version in a packet: the chart as coded, as QA corrected it, and the hashes that tie them to the trail. */
export interface PacketVersion {
  version: number;
  status: string;
  /** The file in the packet, and the SHA-256 of the chart file as the artifacts bucket holds it. */
  coded: { file: string; artifactKey: string; sha256: string };
  /** SHA-256 of the export's record, as its `chart.received` audit event recorded it. */
  contentHashAtReceipt: string;
  /** The chart file's key names that hash, and the chart's state holds it: the file is the one received. */
  artifactKeyNamesReceiptHash: boolean;
  corrected?: { file: string; artifactKey: string; sha256: string };
  /**
   * The chart file billing handoff billed (the SHA-256 its `chart.batched` event recorded): the one as
   * coded, the one as corrected, or neither of the files here. Absent when the version was never billed.
   */
  billed?: { sha256: string; file: 'as-coded' | 'as-corrected' | 'neither' };
}

/** What the packet proves with: every hash a medical reviewer or auditor may check again. */
export interface PacketEvidence {
  agencyId: string;
  chartKey: string;
  generatedAt: string;
  generatedBy: string;
  versions: PacketVersion[];
  /** Each batch's manifest: the SHA-256 billing handoff recorded, and that of the Object-Locked copy now. */
  batches: {
    batchId: string;
    manifestKey?: string;
    recordedSha256?: string;
    lockedSha256?: string;
    matches: boolean;
  }[];
  /** The files that brought the chart: the SHA-256 intake recorded on its receipt. */
  sources: { objectId: string; sha256?: string; receipt?: string }[];
  /** The sealed segments and signed digests that hold the story's events, with their SHA-256 as read. */
  trail: { key: string; sha256: string }[];
  /** SHA-256 of the signing key's public half (PEM) the trail was verified with. */
  publicKeySha256?: string;
}

export const PACKET_FILES = {
  story: 'story.json',
  verification: 'verification.json',
  evidence: 'evidence.json',
  html: 'index.html',
  manifest: 'manifest.json',
} as const;

/**
 * `codetrail audit packet CHART --out DIR`: what a medical reviewer asks for in an additional
 * documentation request. Each version of the chart as coded and as QA corrected, its whole verified
 * story, the evidence hashes, and the trail's verification report, as JSON and as one HTML page that
 * opens without a network; `manifest.json` lists every file's SHA-256, and its own SHA-256 is the
 * packet's (what `codetrail adr close` records as sent). Read as the agency's compliance role. The folder
 * holds PHI (the charts): it is made owner-only, and must not exist yet.
 */
export async function runAuditPacket(
  target: Target,
  lookup: HistoryLookup,
  opts: { out: string; publicKey?: string[]; now?: Date },
): Promise<{ text: string; packetSha256: string; ok: boolean }> {
  if (existsSync(opts.out) && readdirSync(opts.out).length > 0)
    throw new Error('--out: the folder is not empty; name a new one for the packet');
  const history = await readChartHistory(target, lookup, opts.publicKey ? { publicKey: opts.publicKey } : {});
  const { story } = history;
  const files = new Map<string, string>();
  const versions: PacketVersion[] = [];
  const charts: { version: number; coded: unknown; corrected?: unknown }[] = [];
  // The chart files and the batch manifests, read as the agency's compliance role.
  const batches = await actAs(agencyRole(PERSON_ROLES.compliance, story.agencyId), async () => {
    for (const state of [...history.current].sort((a, b) => a.version - b.version)) {
      const events = story.versions.find((v) => v.version === state.version)?.events ?? [];
      const received = events.find((e) => e.type === 'chart.received')?.detail?.contentHash;
      const { entry, coded, corrected, texts } = await versionFiles(
        target,
        state,
        typeof received === 'string' ? received : undefined,
      );
      const batched = events.findLast((e) => e.type === 'chart.batched')?.detail?.sha256;
      if (typeof batched === 'string')
        entry.billed = {
          sha256: batched,
          file:
            batched === entry.coded.sha256
              ? 'as-coded'
              : batched === entry.corrected?.sha256
                ? 'as-corrected'
                : 'neither',
        };
      versions.push(entry);
      charts.push({ version: state.version, coded, ...(corrected === undefined ? {} : { corrected }) });
      for (const [name, text] of texts) files.set(name, text);
    }
    return batchEvidence(target, history);
  });
  // Hashed as `history` read them from the audit bucket: the same objects it verified, not read again.
  const trailTexts = trailKeysOf(history).map((key) => {
    const text = history.trailFiles.get(key);
    return { key, sha256: text === undefined ? 'missing' : sha256Hex(text) };
  });
  const evidence: PacketEvidence = {
    agencyId: story.agencyId,
    chartKey: story.chartKey,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    generatedBy: target.actor,
    versions,
    batches,
    sources: story.sources.map(({ objectId, events }) => {
      const received = events.find((e) => e.type === 'object.received' || e.type === 'remittance.received');
      const out: PacketEvidence['sources'][number] = { objectId };
      if (typeof received?.detail?.sha256 === 'string') out.sha256 = received.detail.sha256;
      if (typeof received?.detail?.receipt === 'string') out.receipt = received.detail.receipt;
      return out;
    }),
    trail: trailTexts,
  };
  const [publicKey] = history.publicKeys;
  if (publicKey) evidence.publicKeySha256 = sha256Hex(publicKey);
  const ok =
    history.trail?.ok === true &&
    evidence.trail.every((t) => t.sha256 !== 'missing') &&
    story.verified &&
    evidence.batches.every((b) => b.matches) &&
    versions.every((v) => v.artifactKeyNamesReceiptHash && v.billed?.file !== 'neither');

  files.set(PACKET_FILES.story, json({ story, current: history.current }));
  files.set(PACKET_FILES.verification, json(history.trail ?? { ok: false, reason: 'nothing sealed yet' }));
  files.set(PACKET_FILES.evidence, json(evidence));
  files.set(PACKET_FILES.html, packetHtml({ history, evidence, charts, ok }));
  const manifest = json({
    packet: `audit packet of ${story.chartKey}`,
    // In name order, as json() writes every object's keys.
    files: Object.fromEntries([...files].map(([n, t]) => [n, sha256Hex(t)])),
  });
  files.set(PACKET_FILES.manifest, manifest);

  mkdirSync(join(opts.out, 'charts'), { recursive: true, mode: 0o700 });
  // An empty folder given may have been made open to others: the packet holds PHI.
  chmodSync(opts.out, 0o700);
  chmodSync(join(opts.out, 'charts'), 0o700);
  for (const [name, text] of files) writePrivate(join(opts.out, name), text);
  const packetSha256 = sha256Hex(manifest);
  const verdict = ok
    ? 'every event sealed and verified, every hash matches'
    : 'NOT all verified: see index.html and verification.json';
  return {
    text: `wrote ${opts.out}: ${files.size} file(s) for ${story.chartKey} (${verdict})\npacket sha256 ${packetSha256}`,
    packetSha256,
    ok,
  };
}

async function versionFiles(
  target: Target,
  state: ChartState,
  /** The export record's SHA-256 as its `chart.received` event recorded it. */
  receivedHash: string | undefined,
): Promise<{ entry: PacketVersion; coded: unknown; corrected?: unknown; texts: Map<string, string> }> {
  const texts = new Map<string, string>();
  await recordChartOpened(target, state, 'audit-packet');
  const codedText = await target.ports.artifacts.getText('artifacts', state.artifactKey);
  const codedFile = `charts/v${state.version}-as-coded.json`;
  texts.set(codedFile, codedText);
  const entry: PacketVersion = {
    version: state.version,
    status: state.status,
    coded: { file: codedFile, artifactKey: state.artifactKey, sha256: sha256Hex(codedText) },
    contentHashAtReceipt: receivedHash ?? 'not in the trail',
    // The chart file is the one intake wrote for the record its receipt event hashed: the file's key
    // names that hash (intake names it so), and the chart's state says the same.
    artifactKeyNamesReceiptHash:
      receivedHash !== undefined &&
      receivedHash === state.contentHash &&
      state.artifactKey.includes(`-${receivedHash.slice(0, 12)}`),
  };
  const out: { entry: PacketVersion; coded: unknown; corrected?: unknown; texts: Map<string, string> } = {
    entry,
    coded: JSON.parse(codedText),
    texts,
  };
  const correctedKey = state.qa?.correctedArtifactKey;
  if (correctedKey) {
    const text = await target.ports.artifacts.getText('artifacts', correctedKey);
    const file = `charts/v${state.version}-as-corrected.json`;
    texts.set(file, text);
    entry.corrected = { file, artifactKey: correctedKey, sha256: sha256Hex(text) };
    out.corrected = JSON.parse(text);
  }
  return out;
}

/** The segments and digests that hold the story's sealed events. */
function trailKeysOf({ story }: ChartHistory): string[] {
  const segments = new Set<number>();
  const all = [
    ...story.versions.flatMap((v) => v.events),
    ...story.batches.flatMap((b) => b.events),
    ...story.sources.flatMap((s) => s.events),
    ...story.requests,
    ...story.access,
  ];
  for (const e of all) if ('segment' in e.standing) segments.add(e.standing.segment);
  return [...segments]
    .sort((a, b) => a - b)
    .flatMap((i) => [segmentKey(story.agencyId, i), digestKey(story.agencyId, i)]);
}

/** Each batch's manifest: the hash recorded when it was handed off, against the Object-Locked copy. */
async function batchEvidence(target: Target, { story }: ChartHistory): Promise<PacketEvidence['batches']> {
  const out: PacketEvidence['batches'] = [];
  for (const { batchId, events } of story.batches) {
    const handedOff = handedOffManifest(events);
    const manifestKey = handedOff?.manifestKey;
    const recordedSha256 = handedOff?.manifestSha256;
    // The Object-Locked copy billing handoff wrote beside the artifacts bucket's.
    const lockedSha256 = manifestKey
      ? await sha256OrMissing(target, batchManifestKey(story.agencyId, batchId))
      : undefined;
    out.push({
      batchId,
      ...(manifestKey ? { manifestKey } : {}),
      ...(recordedSha256 ? { recordedSha256 } : {}),
      ...(lockedSha256 ? { lockedSha256 } : {}),
      matches: recordedSha256 !== undefined && recordedSha256 === lockedSha256,
    });
  }
  return out;
}

/** An object's SHA-256, or `missing` when it cannot be read: the packet says so rather than failing. */
async function sha256OrMissing(target: Target, key: string): Promise<string> {
  try {
    return sha256Hex(await target.ports.artifacts.getText('audit', key));
  } catch {
    return 'missing';
  }
}

/** JSON as the packet writes it: keys in canonical order, so a packet of the same facts hashes alike. */
function json(value: unknown): string {
  return `${JSON.stringify(JSON.parse(canonical(value)), null, 2)}\n`;
}

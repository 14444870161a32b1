import { describe, expect, it } from 'vitest';
import type { PacketEvidence } from '#cli/commands/audit-packet.ts';
import type { ChartHistory } from '#cli/commands/history.ts';
import { esc, packetHtml } from '#cli/lib/packet-html.ts';

const CK = 'agency-h.ck0123';

function history(): ChartHistory {
  return {
    story: {
      agencyId: 'agency-h',
      chartKey: CK,
      versions: [
        {
          version: 1,
          events: [
            {
              eventId: 'e1',
              type: 'chart.received',
              subject: `chart:${CK}:v1`,
              actor: 'stage:intake',
              at: '2026-12-01T10:00:00.000Z',
              summary: 'received <b>from</b> a file',
              standing: { state: 'verified', segment: 0, seq: 0 },
            },
          ],
        },
      ],
      batches: [],
      sources: [],
      requests: [],
      access: [],
      verified: true,
    },
    trail: {
      ok: true,
      agencies: ['agency-h'],
      segments: 1,
      events: 1,
      outsideWindow: 0,
      quietDigests: 0,
      endsAt: {},
      problems: [],
    },
    current: [],
    publicKeys: [],
    misfiled: 0,
    trailFiles: new Map(),
  };
}

const EVIDENCE: PacketEvidence = {
  agencyId: 'agency-h',
  chartKey: CK,
  generatedAt: '2026-12-08T00:00:00.000Z',
  generatedBy: 'arn:"x"',
  versions: [],
  batches: [],
  sources: [],
  trail: [],
};

describe("the audit packet's page", () => {
  it('escapes everything a chart or an event holds: no markup gets through', () => {
    const coded = {
      chartId: '<script>alert(1)</script>',
      patient: { name: 'Test "Patient" & Co', id: "O'Brien" },
      diagnoses: [{ sequence: 1, code: 'I50.9', description: '<img src=x onerror=alert(1)>' }],
    };
    const html = packetHtml({
      history: history(),
      evidence: EVIDENCE,
      charts: [{ version: 1, coded }],
      ok: true,
    });
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Test &quot;Patient&quot; &amp; Co, O&#39;Brien');
    expect(html).toContain('received &lt;b&gt;from&lt;/b&gt; a file');
    expect(html).toContain('arn:&quot;x&quot;');
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    );
    expect(esc(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });

  it('shows every code by sequence as coded and as corrected: one QA removed, one it added, one it changed', () => {
    const coded = {
      diagnoses: [
        { sequence: 1, code: 'I50.9' },
        { sequence: 2, code: 'E11.9' },
        { sequence: 3, code: 'Z79.4' },
      ],
    };
    const corrected = {
      diagnoses: [
        { sequence: 1, code: 'I50.32' },
        { sequence: 2, code: 'E11.9' },
        { sequence: 4, code: 'N18.3' },
      ],
    };
    const html = packetHtml({
      history: history(),
      evidence: EVIDENCE,
      charts: [{ version: 1, coded, corrected }],
      ok: false,
    });
    const rows = [...html.matchAll(/<tr><td>(\d)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) =>
      m.slice(1),
    );
    expect(rows).toEqual([
      ['1', 'I50.9', 'I50.32'],
      ['2', 'E11.9', 'unchanged'],
      ['3', 'Z79.4', '(none)'],
      ['4', '(none)', 'N18.3'],
    ]);
    expect(html).toContain('Not everything verifies');
  });
});

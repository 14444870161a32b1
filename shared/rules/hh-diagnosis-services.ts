import { SKILLED_DISCIPLINES } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { codeLabel, diagnosisPath } from './codes.ts';
import { defineRule, type Rule } from './rule.ts';

const SKILLED: ReadonlySet<string> = new Set(SKILLED_DISCIPLINES);

/** HH-DX-SERVICES: every coded diagnosis is addressed by an ordered skilled service on the plan of care. */
export const hhDiagnosisServices: Rule = defineRule(
  {
    id: 'HH-DX-SERVICES',
    severity: 'warn',
    title: 'Diagnoses linked to an ordered skilled service',
    what: `On a home health chart that carries its plan-of-care orders (orders), each diagnosis is listed by at least one order of a skilled discipline (${SKILLED_DISCIPLINES.join(', ')}); an order that names a diagnosis sequence the chart does not have is reported too. One warning per diagnosis or order. A chart without orders, or whose orders name no diagnosis at all (an export that does not carry the links), is not checked.`,
    why: 'Home health pays for skilled services ordered on the plan of care for the conditions coded on the claim. A diagnosis that no ordered skilled service addresses either does not belong on the claim (and may inflate the comorbidity adjustment) or shows orders missing from the plan of care: medical reviewers look for the link. It is a warning for QA rather than a rejection, because a coexisting condition that affects care is codable without an order of its own.',
    sources: [
      {
        tag: 'codetrail',
        cite: 'the project brief (issue 4) names "diagnoses not linked to any ordered skilled service" as a home health rule; domain-rules.md §1.5: secondary diagnoses 2-25 drive the comorbidity adjustment',
      },
      {
        tag: 'codetrail',
        cite: 'severity warn: coexisting conditions may be coded without an order, so QA judges the link',
      },
    ],
    limits:
      'Needs the export to carry the orders and the diagnoses each addresses (canonical orders, or FHIR ServiceRequests with reasonReference / reasonCode): an export without them is not checked. Checks the link only, not whether the ordered frequency was delivered or the service is reasonable and necessary.',
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'home_health' || chart.orders === undefined) return [];
    // Orders that name no diagnosis at all: the export carries the orders but not their links.
    if (chart.orders.every((o) => o.diagnoses.length === 0)) return [];
    const findings: Finding[] = [];
    const sequences = new Set(chart.diagnoses.map((d) => d.sequence));
    const linked = new Set<number>();
    chart.orders.forEach((order, i) => {
      for (const sequence of order.diagnoses) {
        if (!sequences.has(sequence)) {
          findings.push(
            finding(
              `orders[${i}].diagnoses: the ${order.discipline} order names diagnosis sequence ${sequence}, which the chart does not have`,
              `orders[${i}].diagnoses`,
            ),
          );
        } else if (SKILLED.has(order.discipline)) linked.add(sequence);
      }
    });
    chart.diagnoses.forEach((d, i) => {
      if (linked.has(d.sequence)) return;
      findings.push(
        finding(
          `${diagnosisPath(i, 'code')}: ${codeLabel(d.code, d.system)} (sequence ${d.sequence}) is not addressed by any ordered skilled service (${SKILLED_DISCIPLINES.join(', ')}) on the plan of care; link it to an order or confirm it affects care`,
          diagnosisPath(i, 'code'),
        ),
      );
    });
    return findings;
  },
);

import { defineRule, type Rule } from './rule.ts';

/** The OASIS items PDGM scores for functional impairment (domain-rules.md §1.4). */
export const PDGM_FUNCTIONAL_ITEMS = ['M1800', 'M1810', 'M1820', 'M1830', 'M1840', 'M1850', 'M1860'] as const;

/** HH-OASIS-ITEMS: an OASIS that lacks functional items the PDGM grouping needs. */
export const hhOasisItems: Rule = defineRule(
  {
    id: 'HH-OASIS-ITEMS',
    severity: 'query',
    title: 'Home health OASIS carries the functional items PDGM scores',
    what: "A home health chart that has OASIS item responses carries all seven functional items PDGM scores: M1800 grooming, M1810 and M1820 dressing, M1830 bathing, M1840 toilet transferring, M1850 transferring, M1860 ambulation. The missing ones are named in a query to the clinician. A chart with no OASIS items at all is HH-OASIS-DOC's.",
    why: "The functional impairment level (low, medium, high) of the HIPPS code is the sum of the points of these responses against the clinical group's thresholds; with an item missing the period cannot be grouped, and a guessed level misstates the payment.",
    sources: [
      {
        tag: '3P',
        cite: 'domain-rules.md §1.4: functional items M1800-M1860 and M1033 scored to points against clinical-group thresholds (postacutetools, HCPro/BLR)',
      },
      { tag: 'CMS', cite: 'domain-rules.md §6: CMS OASIS-E data specifications, item response options' },
    ],
    limits: 'Checks that the items are answered, not that the answers agree with the coded conditions.',
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'home_health') return [];
    const items = chart.oasis?.items ?? {};
    if (Object.keys(items).length === 0) return [];
    const missing = PDGM_FUNCTIONAL_ITEMS.filter((item) => items[item] === undefined);
    if (missing.length === 0) return [];
    return [
      finding(
        `oasis.items: the OASIS lacks the functional items ${missing.join(', ')} that PDGM scores; ask the clinician to complete them`,
        'oasis.items',
      ),
    ];
  },
);

import { Command } from 'commander';
import { DEFAULT_ADR_DAYS, runAdrClose, runAdrList, runAdrOpen } from './commands/adr.ts';
import { runAuditBatch, runAuditEvents } from './commands/audit.ts';
import { runAuditPacket } from './commands/audit-packet.ts';
import { readPublicKeys, runAuditVerify, runStackAuditVerify } from './commands/audit-verify.ts';
import { type BillingOptions, runBilling } from './commands/billing.ts';
import { runDenials } from './commands/denials.ts';
import { runDrop } from './commands/drop.ts';
import { type HistoryLookup, readChartHistory, renderChartHistory } from './commands/history.ts';
import { runIntakePending, runIntakeReceipts } from './commands/intake.ts';
import { runQaDispute, runQaResolve, runQaReview, runQaShow } from './commands/qa.ts';
import { runQaPlan } from './commands/qa-plan.ts';
import { accuracyDimensions, qaReport, renderQaReport } from './commands/qa-report.ts';
import { runQueries } from './commands/queries.ts';
import { runReconcile } from './commands/reconcile.ts';
import { runServe } from './commands/serve.ts';
import { loadConfigFile, runStart } from './commands/start.ts';
import { IMPORTABLE_TABLES, runTablesImport, runTablesList } from './commands/tables.ts';
import { runTurnaround } from './commands/turnaround.ts';
import { runX12_835 } from './commands/x12.ts';
import { resolveTarget, STATE_DIR } from './lib/target.ts';

/** Every command that reads or writes a stack takes it the same way. */
const STACK_OPTION = [
  '--stack <name>',
  'a deployed codetrail stack (default: the local stack of `start --serve`)',
] as const;

/** The public halves a command verifies the trail with, when not the stack's own. */
const PUBLIC_KEY_OPTION = [
  '--public-key <file...>',
  "verify the trail with these public halves (PEM) rather than the stack's",
] as const;

function publicKeysOf(opts: { publicKey?: string[] }): { publicKey?: string[] } {
  return opts.publicKey ? { publicKey: readPublicKeys(opts.publicKey) } : {};
}

/** The options that name a chart other than by its EMR chart id (`history`, `audit packet`, `adr open`). */
function withChartLookup(command: Command): Command {
  return command
    .option('--chart-key <chartKey>', 'the chart by its chartKey')
    .option('--claim-ref <claimRef>', 'the chart version billed under this claimRef (CLM01)')
    .option(
      '--icn <number>',
      "the chart version a payer answered under this claim number (CLP07, the payer's ICN)",
    )
    .option(
      '--mbi <id>',
      "the chart of a patient's Medicare beneficiary id (or other payer member id), with --from/--to",
    )
    .option('--from <date>', 'with --mbi: the first date of service asked about (YYYY-MM-DD)')
    .option('--to <date>', 'with --mbi: the last date of service asked about (YYYY-MM-DD)')
    .option('--agency <id>', "the chart's agency: needed when the stack serves several");
}

/** What `withChartLookup`'s options give a command (`--mbi` is the lookup's member id). */
type ChartLookupOptions = Omit<HistoryLookup, 'chartId' | 'memberId'> & { mbi?: string };

/** The chart a command names: its EMR chart id (the argument), or one of the lookup options. */
function lookupOf(chartId: string | undefined, opts: ChartLookupOptions): HistoryLookup {
  const { mbi, ...rest } = opts;
  return {
    ...rest,
    ...(chartId === undefined ? {} : { chartId }),
    ...(mbi === undefined ? {} : { memberId: mbi }),
  };
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

const program = new Command();
program
  .name('codetrail')
  .description(
    'Governance for home health and hospice coding: intake, validation, QA sampling, billing handoff, denials',
  );

program
  .command('start')
  .description(
    'Run the whole pipeline locally on embedded AWS emulators over a folder of exports, verdicts and remittances',
  )
  .option('--input <dir>', 'folder with exports/, qa-verdicts/ and remittances/', 'examples')
  .option('--out <dir>', 'where summary.json goes', 'out')
  .option(
    '--config <file>',
    'agency configuration (default: <input>/codetrail.config.json, then ./codetrail.config.json)',
  )
  .option(
    '--key-file <file>',
    'local stand-in for the KMS HMAC key behind chartKeys (default: <input>/local-dev.key if the input ships one, else .codetrail/local.key)',
  )
  .option('--serve', 'keep the embedded stack up on loopback for the other commands, state under .codetrail/')
  .option('--dynamo-port <port>', 'with --serve: DynamoDB port', '4569')
  .option('--aws-port <port>', 'with --serve: SQS and S3 port', '4566')
  .option('--verbose', "show the handlers' own logs")
  .option('--quiet', 'print nothing but errors')
  .option(
    '--reveal',
    "show each chart's own id (PHI) beside its chartKey in the summary and summary.json, read from the chart files (each read is recorded as the chart opened)",
  )
  .action(
    async (opts: {
      reveal?: boolean;
      input: string;
      out: string;
      config?: string;
      keyFile?: string;
      serve?: boolean;
      dynamoPort: string;
      awsPort: string;
      verbose?: boolean;
      quiet?: boolean;
    }) => {
      if (opts.serve) {
        const serve = {
          config: loadConfigFile(opts.input, opts.config),
          stateDir: STATE_DIR,
          dynamoPort: Number(opts.dynamoPort),
          fauxqsPort: Number(opts.awsPort),
        };
        await runServe(opts.verbose ? { ...serve, verbose: true } : serve);
        return;
      }
      const { exitCode } = await runStart(opts);
      process.exitCode = exitCode;
    },
  );

program
  .command('drop')
  .description(
    'Drop export files in the intake bucket (or, with --remittance, remittance files in the denials bucket)',
  )
  .argument('<files...>')
  .requiredOption('--agency <id>', 'the agency the files belong to')
  .option('--remittance', 'the files are remittances (denials), not chart exports')
  .option(...STACK_OPTION)
  .action(async (files: string[], opts: { agency: string; remittance?: boolean; stack?: string }) => {
    const target = await resolveTarget(opts);
    const keys = await runDrop(target, files, opts);
    for (const k of keys) print(`dropped ${k} (${target.description})`);
  });

const intake = program.command('intake').description('What intake took in from the dropped exports');
intake
  .command('receipts')
  .description('The intake receipt of every dropped file: its SHA-256 and what became of its charts')
  .option('--agency <id>', "only this agency's files")
  .option('--json', 'print the receipts themselves')
  .option('--locked', 'read the copies in the Object-Locked audit bucket')
  .option(...STACK_OPTION)
  .action(async (opts: { agency?: string; json?: boolean; locked?: boolean; stack?: string }) => {
    print(await runIntakeReceipts(await resolveTarget(opts), opts));
  });

const audit = program.command('audit').description('The audit trail, read-only (as the compliance role)');
audit
  .command('batch')
  .argument('<batchId>')
  .description(
    "Check a batch's Object-Locked manifest against the SHA-256 billing handoff recorded: what the batch billed, for an audit",
  )
  .option('--agency <id>', "the batch's agency: needed when the stack serves several")
  .option(...STACK_OPTION)
  .action(async (batchId: string, opts: { agency?: string; stack?: string }) => {
    print(await runAuditBatch(await resolveTarget(opts), batchId, opts));
  });
audit
  .command('verify')
  .description(
    "Check a copy of the audit trail (every chain, every signature) with the signing key's public half alone: names each event modified, deleted, inserted or reordered, each segment or digest missing; exits 1 unless all holds",
  )
  .option(
    '--dir <dir>',
    "a copy of the trail (aws s3 sync s3://<audit bucket>/audit-trail/ DIR); the stack's audit bucket when absent",
  )
  .option(
    '--public-key <file...>',
    "the signing key's public half (PEM; each of them, if the key was replaced); needed with --dir, else the stack's",
  )
  .option(
    '--agency <id...>',
    'only these agencies (each must have a trail); else every agency the stack serves',
  )
  .option(
    '--from <date>',
    'read the events of segments sealed from this day on (YYYY-MM-DD); every digest is checked',
  )
  .option('--to <date>', 'and up to this day (YYYY-MM-DD), included')
  .option(
    '--as-of <instant>',
    'with --dir: when the copy was made (e.g. 2026-12-08T14:00:00Z); each trail must then end within two sealing periods, or it may be cut short (on a stack: now)',
  )
  .option(...STACK_OPTION)
  .action(
    async (opts: {
      dir?: string;
      publicKey?: string[];
      agency?: string[];
      stack?: string;
      from?: string;
      to?: string;
      asOf?: string;
    }) => {
      if (opts.asOf !== undefined && opts.dir === undefined)
        throw new Error('--as-of: goes with --dir (on a stack the trail is checked as of now)');
      if (opts.dir !== undefined && opts.publicKey === undefined)
        throw new Error("--public-key: needed with --dir (the PEM of the signing key's public half)");
      const { text, ok } =
        opts.dir !== undefined && opts.publicKey !== undefined
          ? runAuditVerify({ ...opts, dir: opts.dir, publicKey: opts.publicKey })
          : await runStackAuditVerify(await resolveTarget(opts), {
              ...(opts.agency ? { agency: opts.agency } : {}),
              ...(opts.publicKey ? { publicKey: opts.publicKey } : {}),
              ...(opts.from ? { from: opts.from } : {}),
              ...(opts.to ? { to: opts.to } : {}),
            });
      print(text);
      if (!ok) process.exitCode = 1;
    },
  );
withChartLookup(
  audit
    .command('packet')
    .description(
      "What a medical reviewer asks for in a documentation request: each version of the chart as coded and as QA corrected, its verified story, the evidence hashes and the trail's verification, as JSON and one HTML page that opens offline; prints the packet's SHA-256 (for `adr close`)",
    )
    .argument('[chartId]', "the EMR's chart id (made into its chartKey on this machine)"),
)
  .requiredOption('--out <dir>', 'a new folder for the packet (owner-only: it holds the charts)')
  .option(...PUBLIC_KEY_OPTION)
  .option(...STACK_OPTION)
  .action(
    async (
      chartId: string | undefined,
      opts: ChartLookupOptions & { out: string; publicKey?: string[]; stack?: string },
    ) => {
      const { text, ok } = await runAuditPacket(await resolveTarget(opts), lookupOf(chartId, opts), {
        out: opts.out,
        ...publicKeysOf(opts),
      });
      print(text);
      if (!ok) process.exitCode = 1;
    },
  );
audit
  .command('events')
  .argument(
    '<subject>',
    'chart:<chartKey>:v<n>, object:<objectId>, batch:<batchId>, coder:<agency>:<coder>, config (the configuration and code tables in force) or audit-queue (messages the chainer refused)',
  )
  .description('Every audit event of one subject, oldest first: what happened, when, and who did it')
  .option('--json', 'print the events themselves')
  .option(
    '--agency <id>',
    "the subject's agency (a chart's or coder's is read from the subject): needed when the stack serves several",
  )
  .option(...STACK_OPTION)
  .action(async (subject: string, opts: { json?: boolean; agency?: string; stack?: string }) => {
    print(await runAuditEvents(await resolveTarget(opts), subject, opts));
  });

withChartLookup(
  program
    .command('history')
    .description(
      "One chart's whole story, from its agency's verified audit trail: every version's receipt, findings, sampling, verdicts, batch and manifest, payer answers and rework, each with who and when, and whether the trail vouches for it",
    )
    .argument(
      '[chartId]',
      "the EMR's chart id (made into its chartKey on this machine with the stack's MAC key; it goes nowhere else)",
    ),
)
  .option(...PUBLIC_KEY_OPTION)
  .option('--json', 'print the story as JSON')
  .option(...STACK_OPTION)
  .action(
    async (
      chartId: string | undefined,
      opts: ChartLookupOptions & { publicKey?: string[]; json?: boolean; stack?: string },
    ) => {
      const history = await readChartHistory(
        await resolveTarget(opts),
        lookupOf(chartId, opts),
        publicKeysOf(opts),
      );
      const { trailFiles: _read, ...shown } = history;
      print(opts.json ? JSON.stringify(shown, null, 2) : renderChartHistory(history));
    },
  );

const adr = program
  .command('adr')
  .description(
    "Payers' additional documentation requests: logged against a chart, listed with days left, closed with the packet sent",
  );
withChartLookup(
  adr
    .command('open')
    .description("Log a documentation request against a chart (an audit event of the agency's register)")
    .argument('[chartId]', "the EMR's chart id (made into its chartKey on this machine)"),
)
  .requiredOption('--received <date>', 'the day the request came (YYYY-MM-DD)')
  .option(
    '--due <date>',
    `the day the answer is due (YYYY-MM-DD; default ${DEFAULT_ADR_DAYS} days after --received)`,
  )
  .option('--reference <ref>', "the payer's reference for the request (letters, digits, dashes)")
  .option(...STACK_OPTION)
  .action(
    async (
      chartId: string | undefined,
      opts: ChartLookupOptions & { received: string; due?: string; reference?: string; stack?: string },
    ) => {
      print(await runAdrOpen(await resolveTarget(opts), lookupOf(chartId, opts), opts));
    },
  );
adr
  .command('list')
  .description('The open documentation requests, soonest due first, with days left (negative: overdue)')
  .option('--all', 'the answered ones too, with what was sent')
  .option('--agency <id>', 'the agency: needed when the stack serves several')
  .option('--json', 'print them as JSON')
  .option(
    '--time-zone <zone>',
    "the IANA time zone whose today the days are counted from (the agency's, e.g. America/Chicago); default: this machine's",
  )
  .option(...STACK_OPTION)
  .action(
    async (opts: { all?: boolean; agency?: string; json?: boolean; timeZone?: string; stack?: string }) => {
      print(await runAdrList(await resolveTarget(opts), opts));
    },
  );
adr
  .command('close')
  .description('Record a documentation request answered, with the SHA-256 of the packet sent')
  .argument('<adrId>')
  .option(
    '--packet <dir>',
    'the packet sent (codetrail audit packet): every file is checked, its manifest hashed',
  )
  .option('--packet-sha256 <hex>', "the packet's SHA-256, when the folder is not at hand")
  .option('--sent <date>', 'the day it was sent (YYYY-MM-DD; default today)')
  .option('--agency <id>', 'the agency: needed when the stack serves several')
  .option(...STACK_OPTION)
  .action(
    async (
      adrId: string,
      opts: { packet?: string; packetSha256?: string; sent?: string; agency?: string; stack?: string },
    ) => {
      print(await runAdrClose(await resolveTarget(opts), adrId, opts));
    },
  );

intake
  .command('pending')
  .description(
    'Dropped objects no intake receipt accounts for yet (in flight, failed, or FHIR files awaiting their manifest)',
  )
  .option('--agency <id>', "only this agency's files")
  .option('--keys', "also print each object's key (an export's file name may carry a patient's name)")
  .option('--json', 'print them as JSON')
  .option(...STACK_OPTION)
  .action(async (opts: { agency?: string; json?: boolean; keys?: boolean; stack?: string }) => {
    print(await runIntakePending((await resolveTarget(opts)).ports, opts));
  });

const tables = program.command('tables').description('The versioned code tables the coding rules use');
tables
  .command('list')
  .description('Every table version and the dates of service it is in force for')
  .option('--data-dir <dir>', 'the data folder (default: shared/data, or CODETRAIL_DATA_DIR)')
  .action((opts: { dataDir?: string }) => {
    print(runTablesList(opts));
  });
tables
  .command('import')
  .description(
    "Import a CMS table: icd10cm FILE (the ICD-10-CM order file, icd10cm_order_<FY>.txt); pdgm FILE --params JSON (the PDGM code list CSV and the year's grouper parameters); hospice-principal FILE or code-first FILE (a code list, one ICD-10-CM code per line, optional description after a tab or comma); carc FILE (reason codes with root cause, family and coder feedback, CSV); rarc FILE (remark codes with family and coder feedback, CSV)",
  )
  .argument('<table>', IMPORTABLE_TABLES.join(', '))
  .argument('<file>')
  .requiredOption(
    '--version <name>',
    'the version, e.g. FY2026 or CY2026 (its year gives the dates of service)',
  )
  .option('--from <date>', 'first date of service it is in force for (YYYY-MM-DD)')
  .option('--through <date>', 'last date of service (YYYY-MM-DD)')
  .option(
    '--params <file>',
    'pdgm: the grouper parameters (functional points, thresholds, comorbidity), JSON',
  )
  .option('--data-dir <dir>', 'the data folder (default: shared/data, or CODETRAIL_DATA_DIR)')
  .action(
    async (
      kind: string,
      file: string,
      opts: { version: string; from?: string; through?: string; dataDir?: string; params?: string },
    ) => {
      print(await runTablesImport(kind, file, opts));
    },
  );

program
  .command('queries')
  .description(
    'Open documentation queries to clinicians: age in business days, due date, who should chase them now',
  )
  .option('--agency <id>', "only this agency's charts")
  .option(
    '--config <file>',
    'agency configuration (aging thresholds, holidays; default ./codetrail.config.json)',
  )
  .option('--json', 'print them as JSON')
  .option(
    '--reveal',
    "show each chart's own id (PHI) beside its chartKey, read from the chart files (your role must be allowed to; each read is recorded as the chart opened)",
  )
  .option(...STACK_OPTION)
  .action(
    async (opts: { agency?: string; config?: string; json?: boolean; reveal?: boolean; stack?: string }) => {
      const config = loadConfigFile('.', opts.config);
      print(await runQueries(await resolveTarget(opts), config, opts));
    },
  );

program
  .command('reconcile')
  .description(
    'Re-drive chart versions a stage should have moved on and has not (a lost message): each gets its message again, audited',
  )
  .option('--older-than <minutes>', 'how long a chart must have waited on a stage', '60')
  .option('--dry-run', 'list them, send nothing')
  .option('--json', 'print them as JSON')
  .option(...STACK_OPTION)
  .action(async (opts: { olderThan: string; dryRun?: boolean; json?: boolean; stack?: string }) => {
    const olderThanMinutes = Number(opts.olderThan);
    if (!Number.isFinite(olderThanMinutes) || olderThanMinutes < 0) {
      process.stderr.write('codetrail reconcile: --older-than takes a number of minutes, such as 60\n');
      process.exit(2);
    }
    const target = await resolveTarget(opts);
    print(
      (
        await runReconcile(target, {
          olderThanMinutes,
          dryRun: opts.dryRun ?? false,
          json: opts.json ?? false,
        })
      ).text,
    );
  });

const qa = program.command('qa').description('QA review of sampled charts');
qa.command('review')
  .description('List the charts waiting for QA review, or submit verdicts with --verdicts FILE')
  .option(
    '--verdicts <file>',
    'a verdict file: {agencyId, chartId, version, reviewerId, outcome, corrections?, note?} or an array',
  )
  .option('--next', 'take the next chart from the QA queue (held for 30 minutes) and show it')
  .option('--reviewer <id>', 'with --next: who takes it (never a chart they coded or reviewed first)')
  .option('--senior', 'with --next: from the senior queue (probation, disputes, high-risk charts)')
  .option(
    '--agency <id>',
    "this agency's: the listing (default: every agency of the stack) and --next (each agency has its own queue)",
  )
  .option(...STACK_OPTION)
  .action(
    async (opts: {
      verdicts?: string;
      agency?: string;
      next?: boolean;
      reviewer?: string;
      senior?: boolean;
      stack?: string;
    }) => {
      print(await runQaReview(await resolveTarget(opts), opts));
    },
  );
qa.command('dispute')
  .description('A coder disputes corrections of a QA review of their chart: sent to senior review')
  .argument(
    '<file>',
    'a dispute file: {agencyId, chartId, version, coderId, corrections: [index...], note?} or an array',
  )
  .option(...STACK_OPTION)
  .action(async (file: string, opts: { stack?: string }) => {
    print(await runQaDispute(await resolveTarget(opts), file));
  });
qa.command('resolve')
  .description('A senior reviewer upholds or overturns disputed corrections')
  .argument(
    '<file>',
    'a resolution file: {agencyId, chartId, version, reviewerId, outcome: upheld|overturned, note?} or an array',
  )
  .option(...STACK_OPTION)
  .action(async (file: string, opts: { stack?: string }) => {
    print(await runQaResolve(await resolveTarget(opts), file));
  });
qa.command('plan')
  .description(
    "Each coder's sampling rate now and why: probation, accuracy, recent denials, a manager's rate",
  )
  .option('--agency <id>', "only this agency's coders")
  .option('--config <file>', 'agency configuration (the sampling policy; default ./codetrail.config.json)')
  .option('--json', 'print it as JSON')
  .option(...STACK_OPTION)
  .action(async (opts: { agency?: string; config?: string; json?: boolean; stack?: string }) => {
    const config = loadConfigFile('.', opts.config);
    print(await runQaPlan((await resolveTarget(opts)).ports, config, opts));
  });
qa.command('report')
  .description(
    'QA accuracy by coder, diagnosis category, line of business and month, with 95% Wilson intervals; charts past the QA SLA',
  )
  .option('--agency <id>', "only this agency's reviews")
  .option('--by <dimensions>', 'comma-separated: coder, category, lineOfBusiness, month (default: all)')
  .option('--config <file>', 'agency configuration (accuracy target, SLA; default ./codetrail.config.json)')
  .option('--json', 'print it as JSON')
  .option(...STACK_OPTION)
  .action(async (opts: { agency?: string; by?: string; config?: string; json?: boolean; stack?: string }) => {
    const config = loadConfigFile('.', opts.config);
    const by = opts.by === undefined ? undefined : accuracyDimensions(opts.by);
    const report = await qaReport((await resolveTarget(opts)).ports, config, {
      ...(opts.agency ? { agency: opts.agency } : {}),
      ...(by ? { by } : {}),
    });
    print(opts.json ? JSON.stringify(report, null, 2) : renderQaReport(report));
  });
qa.command('show')
  .description('Show a chart waiting for review, from the review board: its file, findings and why it waits')
  .argument('<chartKey>')
  .argument('<version>')
  .option('--purpose <purpose>', 'review, second-review or dispute', 'review')
  .option('--senior', 'as the senior reviewer (disputes, charts sampled to senior review)')
  .option('--agency <id>', "the chart's agency (default: the one its chartKey begins with)")
  .option(...STACK_OPTION)
  .action(
    async (
      chartKey: string,
      version: string,
      opts: { stack?: string; purpose: string; senior?: boolean; agency?: string },
    ) => {
      if (!['review', 'second-review', 'dispute'].includes(opts.purpose))
        throw new Error('--purpose: review, second-review or dispute');
      print(
        await runQaShow(
          await resolveTarget(opts),
          chartKey,
          Number(version),
          opts.purpose as 'review' | 'second-review' | 'dispute',
          { ...(opts.senior ? { senior: true } : {}), ...(opts.agency ? { agency: opts.agency } : {}) },
        ),
      );
    },
  );

program
  .command('turnaround')
  .description(
    'Coding turnaround by coder: documentation lock to coding complete in business hours (median, p90), coding SLA met or missed, time to batch',
  )
  .option('--agency <id>', "only this agency's coders")
  .option('--config <file>', 'agency configuration (default ./codetrail.config.json)')
  .option('--json', 'print it as JSON')
  .option(...STACK_OPTION)
  .action(async (opts: { agency?: string; config?: string; json?: boolean; stack?: string }) => {
    const config = loadConfigFile('.', opts.config);
    print(await runTurnaround((await resolveTarget(opts)).ports, config, opts));
  });

program
  .command('denials')
  .description(
    'Denial metrics: denial rate by payer, reason (CARC) and family, coding-related denial rate, clean-claim rate, net paid; open rework and overpayment items',
  )
  .option('--agency <id>', 'only this agency')
  .option('--since <date>', 'remittances applied since this date (YYYY-MM-DD)')
  .option('--config <file>', 'agency configuration (default ./codetrail.config.json)')
  .option('--json', 'print it as JSON')
  .option(
    '--reveal',
    "show each open rework and overpayment item's chart id (PHI) beside its chartKey, read from the chart files (your role must be allowed to; each read is recorded as the chart opened)",
  )
  .option(...STACK_OPTION)
  .action(
    async (opts: {
      agency?: string;
      since?: string;
      config?: string;
      json?: boolean;
      reveal?: boolean;
      stack?: string;
    }) => {
      const config = loadConfigFile('.', opts.config);
      print(await runDenials(await resolveTarget(opts), config, opts));
    },
  );

const x12 = program.command('x12').description('X12 files as codetrail reads them');
x12
  .command('835')
  .description(
    'Print an X12 835 remittance (005010X221A1) as JSON: payment, payer, payee, claims, adjustments, remarks, warnings',
  )
  .argument('<file>')
  .action(async (file: string) => {
    print(await runX12_835(file));
  });

const billing = program.command('billing').description('Coded batches for the billing team');
billing
  .command('pull')
  .description(
    'Take the coded batches waiting for billing: check every hash, write each under --out/<batchId>/ (owner-only), then delete its message; or --ack / --reject a batch',
  )
  .option(
    '--out <dir>',
    'where batches are written (the manifest, the CSV and the charts they bill)',
    'out/batches',
  )
  .option('--max <n>', 'take at most this many batches')
  .option(
    '--agency <id>',
    'the agency whose batches (each has its own queue): needed when the stack serves several',
  )
  .option('--ack <batchId>', "send the billing team's receipt of a batch (billing-reply marks it ACCEPTED)")
  .option('--status <batchId>', 'where a batch stands: HANDED_OFF, ACCEPTED or REJECTED, and since when')
  .option('--reject <batchId>', 'refuse a batch (billing-reply sends its charts back to READY_FOR_BILLING)')
  .option(
    '--reason-file <file>',
    'with --reject: the reason from a file (- for standard input), kept out of the shell history',
  )
  .option(
    '--reason <text>',
    'with --reject: why (kept under billing-notes/ in the artifacts bucket; the charts and the audit log keep its key)',
  )
  .option(...STACK_OPTION)
  .action(async (opts: BillingOptions & { stack?: string }) => {
    print(await runBilling(await resolveTarget(opts), opts));
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`codetrail: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

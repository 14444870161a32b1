import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ChartState, ChartStatus } from '#shared/model/chart-state.ts';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import { BoundedCache } from './bounded-cache.ts';
import {
  conditionalWrite,
  isConditionalCheckFailed,
  itemFromConditionalFailure,
} from './dynamo-conditional.ts';
import { queryAll, scanAll } from './dynamo-paged.ts';
import type { ChartStore, Clock, OnceField, TransitionOptions, TransitionResult } from './ports.ts';
import { NOT_CHANGEABLE, systemClock } from './ports.ts';
import {
  CHART_PREFIX,
  chartPk,
  chartStatusPk,
  chartStatusSk,
  GSI1,
  GSI1_PK,
  GSI1_SK,
  LATEST_SK,
  VERSION_PREFIX,
  versionSk,
  withoutKeys,
} from './table-keys.ts';

/**
 * Chart versions and each chart's latest-version pointer, in the single table (layout in table-keys.ts).
 * Every write is one conditional single-item write, so a redelivered message is a no-op and a crash
 * between two writes is repaired by the retry; nothing needs a transaction (dynalite has none).
 */
export class DynamoChartStore implements ChartStore {
  /**
   * chartKey -> agencyId. gsi1pk names the agency, and an UpdateItem cannot read an attribute to build
   * another, so a transition must know the agency up front. A chart never changes agency (chartKey is
   * the HMAC of agency and EMR id), so what create/get/list saw stays true; a miss costs one read.
   */
  private readonly agencies = new BoundedCache<string, string>(10_000);

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(state: ChartState): Promise<{ created: boolean; state: ChartState }> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...state,
            pk: chartPk(state.chartKey),
            sk: versionSk(state.version),
            [GSI1_PK]: chartStatusPk(state.agencyId, state.status),
            [GSI1_SK]: chartStatusSk(state.updatedAt, state.chartKey, state.version),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      this.remember(state);
      return { created: true, state };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const existing =
        this.fromItem(itemFromConditionalFailure(err)) ?? (await this.get(state.chartKey, state.version));
      if (!existing)
        throw new PhiFreeError(`chart ${state.chartKey} v${state.version} exists but could not be read`);
      return { created: false, state: existing };
    }
  }

  async get(chartKey: string, version: number): Promise<ChartState | undefined> {
    // Consistent: the reader usually decides what to do next from the status a previous stage just wrote.
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: chartPk(chartKey), sk: versionSk(version) },
        ConsistentRead: true,
      }),
    );
    return this.fromItem(out.Item);
  }

  async transition(
    chartKey: string,
    version: number,
    from: readonly ChartStatus[],
    to: ChartStatus,
    changes: Partial<ChartState> = {},
    options: TransitionOptions = {},
  ): Promise<TransitionResult> {
    if (from.length === 0) throw new Error('transition needs at least one status to move from');
    let agencyId = this.agencies.get(chartKey);
    if (agencyId === undefined) {
      const current = await this.get(chartKey, version);
      if (!current || !from.includes(current.status)) return { ok: false, current };
      agencyId = current.agencyId;
    }
    const updatedAt = changes.updatedAt ?? this.clock.now().toISOString();
    const names: Record<string, string> = {
      '#status': 'status',
      '#updatedAt': 'updatedAt',
      '#gsi1pk': GSI1_PK,
      '#gsi1sk': GSI1_SK,
    };
    const values: Record<string, unknown> = {
      ':to': to,
      ':updatedAt': updatedAt,
      ':gsi1pk': chartStatusPk(agencyId, to),
      ':gsi1sk': chartStatusSk(updatedAt, chartKey, version),
    };
    const sets = ['#status = :to', '#updatedAt = :updatedAt', '#gsi1pk = :gsi1pk', '#gsi1sk = :gsi1sk'];
    let i = 0;
    for (const [field, value] of Object.entries(changes)) {
      // undefined means "not given" (the document client would drop the value and break the expression).
      if (NOT_CHANGEABLE.has(field) || value === undefined) continue;
      names[`#c${i}`] = field;
      values[`:c${i}`] = value;
      sets.push(`#c${i} = :c${i}`);
      i++;
    }
    const removes = (options.remove ?? []).map((field, j) => {
      if (changes[field] !== undefined) throw new Error(`transition both sets and removes ${field}`);
      names[`#r${j}`] = field;
      return `#r${j}`;
    });
    const fromValues = from.map((status, j) => {
      values[`:from${j}`] = status;
      return `:from${j}`;
    });
    let condition = `#status IN (${fromValues.join(', ')})`;
    if (options.ifRemittanceCount !== undefined) {
      names['#rem'] = 'remittance';
      if (options.ifRemittanceCount === 0) condition += ' AND attribute_not_exists(#rem)';
      else {
        names['#adj'] = 'adjudications';
        values[':remCount'] = options.ifRemittanceCount;
        condition += ' AND #rem.#adj = :remCount';
      }
    }
    try {
      const out = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: chartPk(chartKey), sk: versionSk(version) },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          // A missing item has no status, so this also refuses to create one.
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const state = this.fromItem(out.Attributes);
      if (!state) throw new Error(`transition of ${chartKey} v${version} returned no item`);
      return { ok: true, state };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const current = this.fromItem(itemFromConditionalFailure(err)) ?? (await this.get(chartKey, version));
      return { ok: false, current };
    }
  }

  async markOnce<F extends OnceField>(
    chartKey: string,
    version: number,
    field: F,
    value: NonNullable<ChartState[F]>,
  ): Promise<boolean> {
    return conditionalWrite(
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: chartPk(chartKey), sk: versionSk(version) },
          UpdateExpression: 'SET #f = :v',
          // attribute_exists(pk): never create a stray item holding only this field.
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#f)',
          ExpressionAttributeNames: { '#f': field },
          ExpressionAttributeValues: { ':v': value },
        }),
      ),
    );
  }

  async advanceLatest(chartKey: string, version: number): Promise<number> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: chartPk(chartKey), sk: LATEST_SK },
          UpdateExpression: 'SET latestVersion = :v',
          // Versions may arrive out of order (two exports processed concurrently): only ever move forward.
          ConditionExpression: 'attribute_not_exists(latestVersion) OR latestVersion < :v',
          ExpressionAttributeValues: { ':v': version },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return version;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const fromError = itemFromConditionalFailure(err)?.latestVersion;
      const latest = typeof fromError === 'number' ? fromError : await this.latest(chartKey);
      if (latest === undefined) throw new Error(`latest version of ${chartKey} vanished`);
      return latest;
    }
  }

  async latest(chartKey: string): Promise<number | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: chartPk(chartKey), sk: LATEST_SK },
        ConsistentRead: true,
      }),
    );
    const value = out.Item?.latestVersion;
    return typeof value === 'number' ? value : undefined;
  }

  async versions(chartKey: string): Promise<ChartState[]> {
    const out: ChartState[] = [];
    for await (const item of this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :version)',
      ExpressionAttributeValues: { ':pk': chartPk(chartKey), ':version': VERSION_PREFIX },
      ScanIndexForward: false,
      ConsistentRead: true,
    })) {
      const state = this.fromItem(item);
      if (state) out.push(state);
    }
    return out;
  }

  async *byStatus(agencyId: string, status: ChartStatus, updatedBefore?: string): AsyncIterable<ChartState> {
    // gsi1sk starts with updatedAt, so "before" is a key range: `<updatedAt>#...` sorts below the bare
    // instant only when its updatedAt is earlier (with an equal one it is the longer string, so above).
    const before = updatedBefore === undefined ? {} : { ':before': updatedBefore };
    for await (const item of this.query({
      IndexName: GSI1,
      KeyConditionExpression: updatedBefore === undefined ? '#gpk = :gpk' : '#gpk = :gpk AND #gsk < :before',
      ExpressionAttributeNames: {
        '#gpk': GSI1_PK,
        ...(updatedBefore === undefined ? {} : { '#gsk': GSI1_SK }),
      },
      ExpressionAttributeValues: { ':gpk': chartStatusPk(agencyId, status), ...before },
    })) {
      const state = this.fromItem(item);
      if (state) yield state;
    }
  }

  private query(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) {
    return queryAll(this.dynamo, { ...input, TableName: this.table });
  }

  /**
   * A Scan: fine for summaries, the local runtime and a trial stack. Reports at scale query gsi1
   * (AGENCY#<agencyId>#STATUS#<status>, oldest first) rather than reading the whole table.
   */
  async *list(agencyId?: string): AsyncIterable<ChartState> {
    const values: Record<string, unknown> = { ':chart': CHART_PREFIX, ':version': VERSION_PREFIX };
    let filter = 'begins_with(pk, :chart) AND begins_with(sk, :version)';
    if (agencyId !== undefined) {
      values[':agency'] = agencyId;
      filter += ' AND agencyId = :agency';
    }
    for await (const item of scanAll(this.dynamo, {
      TableName: this.table,
      FilterExpression: filter,
      ExpressionAttributeValues: values,
    })) {
      const state = this.fromItem(item);
      if (state) yield state;
    }
  }

  private fromItem(item: Record<string, unknown> | undefined): ChartState | undefined {
    if (!item) return undefined;
    const state = withoutKeys<ChartState>(item);
    this.remember(state);
    return state;
  }

  private remember(state: ChartState): void {
    this.agencies.set(state.chartKey, state.agencyId);
  }
}

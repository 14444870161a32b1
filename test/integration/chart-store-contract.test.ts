import { DynamoChartStore } from '#shared/aws/dynamo-chart-store.ts';
import { chartStoreContract } from '../support/chart-store-contract.ts';
import { useLocalStack } from '../support/emulators.ts';
import { memoryChartStore } from '../support/memory-chart-store.ts';

/**
 * The one ChartStore contract, against the store the unit tests run on and the one the stack runs on:
 * a promise the in-memory store breaks would let a unit test pass on behaviour DynamoDB does not have.
 */
chartStoreContract('the in-memory chart store', (clock) => memoryChartStore(clock));

const stack = useLocalStack({ prefix: 'chart-contract' });
chartStoreContract(
  'DynamoChartStore on dynalite',
  (clock) => new DynamoChartStore(stack.clients.dynamo, stack.resources.table, clock),
);

import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { backfillInput, startBackfill } from '../cli/backfill.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:SchoolEtlHub-campusgroups-export';

/** A stand-in SFN client that records the commands it is sent. */
function recordingClient() {
  const sent: StartExecutionCommand[] = [];
  return {
    sent,
    send: async (command: StartExecutionCommand) => {
      sent.push(command);
      return { executionArn: `${ARN.replace(':stateMachine:', ':execution:')}:${command.input.name}`, startDate: new Date() };
    },
  };
}

describe('etl backfill', () => {
  it('starts an execution whose input is the documented backfill input', async () => {
    const client = recordingClient();
    const started = await startBackfill(client as never, { stateMachineArn: ARN, from: '2024-08-01', to: '2025-07-31', entities: ['events', 'rsvp'] });
    expect(client.sent).toHaveLength(1);
    const { input } = client.sent[0]!;
    expect(input.stateMachineArn).toBe(ARN);
    expect(JSON.parse(input.input!)).toEqual({ updatedStart: '2024-08-01', updatedEnd: '2025-07-31', entities: ['events', 'rsvp'] });
    expect(input.name).toMatch(/^backfill-20240801-20250731-[0-9a-f]{8}$/);
    expect(started.executionArn).toContain(':execution:');
  });

  it.each([
    [{ from: '2025-07-31', to: '2025-01-01' }, /updatedStart "2025-07-31" is after updatedEnd "2025-01-01"/],
    [{ from: '2025-01-01', to: '2025-02-01', entities: ['event'] }, /Unknown entity "event"/],
    [{ from: '1/1/2025', to: '2025-02-01' }, /updatedStart must be an ISO 8601 date/],
  ])('refuses %j before calling AWS', async (options, message) => {
    const client = recordingClient();
    await expect(startBackfill(client as never, { stateMachineArn: ARN, ...options })).rejects.toThrow(message);
    expect(client.sent).toHaveLength(0);
  });

  it('refuses something that is not a state machine ARN', async () => {
    await expect(startBackfill(recordingClient() as never, { stateMachineArn: 'SchoolEtlHub', from: '2025-01-01', to: '2025-01-02' })).rejects.toThrow(
      /--state-machine-arn must be a Step Functions state machine ARN/,
    );
  });

  it('builds the same input the README shows for the console', () => {
    expect(backfillInput({ from: '2025-01-01', to: '2025-06-30', entities: ['events'] })).toEqual({
      updatedStart: '2025-01-01',
      updatedEnd: '2025-06-30',
      entities: ['events'],
    });
  });
});

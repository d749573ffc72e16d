import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { backfillInput, startBackfill } from '../cli/backfill.js';
import { BUILT_IN_DEFAULTS, EVENTS_PER_WINDOW, HISTORY_BUDGET, validateRequest } from '../vendors/campusgroups/plan.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:SchoolEtlHub-campusgroups-export';

/** A stand-in SFN client that records the commands it is sent. */
function recordingClient() {
  const sent: Array<StartExecutionCommand & { input: { name?: string; input?: string; stateMachineArn?: string } }> = [];
  return {
    sent,
    send: async (command: StartExecutionCommand) => {
      if (command instanceof StartExecutionCommand) sent.push(command as never);
      if (!('name' in command.input)) return { status: 'SUCCEEDED' };
      return { executionArn: `${ARN.replace(':stateMachine:', ':execution:')}:${command.input.name}`, startDate: new Date() };
    },
  };
}

describe('etl backfill', () => {
  it('starts an execution whose input is the documented backfill input', async () => {
    const client = recordingClient();
    const [started] = await startBackfill(client as never, { stateMachineArn: ARN, from: '2024-08-01', to: '2025-07-31', entities: ['events', 'rsvp'] });
    expect(client.sent).toHaveLength(1);
    const { input } = client.sent[0]!;
    expect(input.stateMachineArn).toBe(ARN);
    expect(JSON.parse(input.input!)).toEqual({ updatedStart: '2024-08-01', updatedEnd: '2025-07-31', entities: ['events', 'rsvp'] });
    expect(input.name).toMatch(/^backfill-20240801-20250731-[0-9a-f]{8}$/);
    expect(started!.executionArn).toContain(':execution:');
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

  it('refuses a plan that cannot fit one execution, with the numbers and the command that splits it', () => {
    expect(() => validateRequest({ updatedStart: '0001-01-01', windowDays: 1 }, BUILT_IN_DEFAULTS, Date.parse('2026-11-27T00:00:00Z'))).toThrow(
      /23 entities × 739,\d{3} windows of 1 days: about [\d,]+ history events, past the 20,000 one execution plans for .*Split it into executions of at most 28 days: \.\/bin\/etl\.mjs backfill campusgroups-export --from 0001-01-01 --to 2026-11-27 --window-days 1/,
    );
  });

  it('starts a long backfill as parts that each fit, one after another, meeting at a shared second', async () => {
    const client = recordingClient();
    const started = await startBackfill(client as never, { stateMachineArn: ARN, from: '2015-01-01', to: '2025-12-31' }, () => undefined, 0);
    expect(started.length).toBeGreaterThan(1);
    const inputs = client.sent.map((c) => JSON.parse(c.input.input!) as { updatedStart: string; updatedEnd: string });
    for (const input of inputs) {
      const windows = Math.ceil((Date.parse(input.updatedEnd) - Date.parse(input.updatedStart) + 1000) / (31 * 86_400_000));
      expect(20 + 23 * (4 + windows * EVENTS_PER_WINDOW)).toBeLessThanOrEqual(HISTORY_BUDGET);
    }
    expect(inputs[0]!.updatedStart).toBe('2015-01-01T00:00:00Z');
    expect(inputs.at(-1)!.updatedEnd).toBe('2025-12-31T23:59:59Z');
    for (let i = 1; i < inputs.length; i++) expect(inputs[i]!.updatedStart).toBe(inputs[i - 1]!.updatedEnd);
    expect(client.sent.map((c) => c.input.name)).toEqual(started.map((s) => s.name));
    expect(started.every((s) => s.status === 'SUCCEEDED')).toBe(true);
  });
});

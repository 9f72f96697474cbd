import type { ControlsOutput } from '@bastion/api/controls/schema';
import { Age } from '@/components/age';
import { EmptyState } from '@/components/states';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { actorLabel } from './controls-model';

/** The last control changes from the audit log: who did what, when, and whether it worked. */
export function RecentChanges({ changes }: { changes: ControlsOutput['recentChanges'] }) {
  return (
    <Card aria-labelledby="changes-title">
      <CardHeader>
        <div>
          <CardTitle id="changes-title">Recent changes</CardTitle>
          <CardDescription>The last 20 control changes, newest first. The full history is in the audit log.</CardDescription>
        </div>
      </CardHeader>
      {changes.length === 0 ? (
        <div className="px-5 pb-5">
          <EmptyState title="No changes yet" />
        </div>
      ) : (
        <Table aria-label="Recent changes">
          <THead>
            <TR className="hover:bg-transparent">
              <TH>When</TH>
              <TH>Who</TH>
              <TH>Action</TH>
              <TH>Target</TH>
              <TH>Result</TH>
            </TR>
          </THead>
          <TBody>
            {changes.map((change) => (
              <TR key={change.id} data-testid="change-row">
                <TD className="whitespace-nowrap text-muted-foreground">
                  <Age since={change.at} suffix=" ago" />
                </TD>
                <TD>{actorLabel(change.actor)}</TD>
                <TD className="font-mono text-xs">{change.action}</TD>
                <TD className="font-mono text-xs">{change.target ?? '—'}</TD>
                <TD>{change.result}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

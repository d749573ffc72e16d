import { campusgroups } from './campusgroups/connector.js';
import { gocontractor } from './gocontractor/connector.js';
import { samegoal } from './samegoal/connector.js';
import { watermark } from './watermark/connector.js';

/**
 * Every vendor the hub knows. The CDK stack, the CLI, the local environment, the doctor and the
 * benchmarks loop over this list; adding a vendor is its folder and one line here.
 */
export const VENDORS = [campusgroups, watermark, samegoal, gocontractor];

/** Every pipeline by name, with the vendor it belongs to. */
export const PIPELINES = Object.fromEntries(VENDORS.flatMap((vendor) => vendor.pipelines.map((pipeline) => [pipeline.name, { ...pipeline, vendor }])));

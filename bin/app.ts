import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { loadDeployConfig } from '../lib/config.js';
import { EtlHubStack, loadVendorInfra } from '../lib/etl-hub-stack.js';

// `npx cdk synth -c config=config/my-district.json`; config/example.json without it.
const app = new App();
const file = (app.node.tryGetContext('config') as string | undefined) ?? 'config/example.json';
const config = loadDeployConfig(file);
new EtlHubStack(app, config.stackName, {
  config,
  infra: await loadVendorInfra(),
  description: 'School ETL hub: CampusGroups, Watermark, SameGoal and GoContractor pipelines',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));

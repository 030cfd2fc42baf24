// ECR registry hosts and AWS regions: which hosts are ECR registries (every partition and
// endpoint flavour: FIPS, dual-stack, China, ISO), the host of an account in a region, and the
// region codes the form offers. Small on purpose: the Docker config import asks isEcrHost of
// every host, and it should not load the rest of the provider.

/**
 * `ACCOUNT.dkr.ecr[-fips].REGION.<partition domain>`, also the dual-stack `dkr-ecr` form; the
 * same pattern as Amazon's ECR credential helper.
 */
const ECR_HOST =
  /^(\d{12})\.dkr[.-]ecr(-fips)?\.([a-z0-9][a-z0-9-_]*)\.(amazonaws\.(?:com(?:\.cn)?|eu)|on\.(?:aws|amazonwebservices\.com\.cn)|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$/;

export interface EcrHost {
  accountId: string;
  region: string;
  fips: boolean;
  /** The domain after the region: `amazonaws.com`, `amazonaws.com.cn`… */
  domain: string;
}

/** Parses a private ECR registry host (port 443 and an https:// prefix tolerated). */
export function parseEcrHost(hostOrUrl: string): EcrHost | undefined {
  const host = hostOrUrl
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/.*$/, '')
    .replace(/:443$/, '')
    .toLowerCase();
  const m = ECR_HOST.exec(host);
  if (!m) return undefined;
  return { accountId: m[1]!, fips: !!m[2], region: m[3]!, domain: m[4]! };
}

/** For the Docker-config import: does this registry host belong to the ECR provider? */
export function isEcrHost(host: string): boolean {
  return parseEcrHost(host) !== undefined;
}

/** The registry host of an account in a region: `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
export function ecrRegistryHost(accountId: string, region: string, fips = false): string {
  return `${accountId}.dkr.ecr${fips ? '-fips' : ''}.${region}.${partitionDomain(region)}`;
}

export function partitionDomain(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('eusc-')) return 'amazonaws.eu';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  return 'amazonaws.com';
}

export const REGION_RE = /^[a-z]{2,4}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** Regions offered in the form; anything else matching REGION_RE goes in “Other”. */
export const AWS_REGIONS: readonly [string, string][] = [
  ['us-east-1', 'US East (N. Virginia)'],
  ['us-east-2', 'US East (Ohio)'],
  ['us-west-1', 'US West (N. California)'],
  ['us-west-2', 'US West (Oregon)'],
  ['ca-central-1', 'Canada (Central)'],
  ['ca-west-1', 'Canada West (Calgary)'],
  ['mx-central-1', 'Mexico (Central)'],
  ['sa-east-1', 'South America (São Paulo)'],
  ['eu-west-1', 'Europe (Ireland)'],
  ['eu-west-2', 'Europe (London)'],
  ['eu-west-3', 'Europe (Paris)'],
  ['eu-central-1', 'Europe (Frankfurt)'],
  ['eu-central-2', 'Europe (Zurich)'],
  ['eu-north-1', 'Europe (Stockholm)'],
  ['eu-south-1', 'Europe (Milan)'],
  ['eu-south-2', 'Europe (Spain)'],
  ['il-central-1', 'Israel (Tel Aviv)'],
  ['me-south-1', 'Middle East (Bahrain)'],
  ['me-central-1', 'Middle East (UAE)'],
  ['af-south-1', 'Africa (Cape Town)'],
  ['ap-south-1', 'Asia Pacific (Mumbai)'],
  ['ap-south-2', 'Asia Pacific (Hyderabad)'],
  ['ap-east-1', 'Asia Pacific (Hong Kong)'],
  ['ap-east-2', 'Asia Pacific (Taipei)'],
  ['ap-northeast-1', 'Asia Pacific (Tokyo)'],
  ['ap-northeast-2', 'Asia Pacific (Seoul)'],
  ['ap-northeast-3', 'Asia Pacific (Osaka)'],
  ['ap-southeast-1', 'Asia Pacific (Singapore)'],
  ['ap-southeast-2', 'Asia Pacific (Sydney)'],
  ['ap-southeast-3', 'Asia Pacific (Jakarta)'],
  ['ap-southeast-4', 'Asia Pacific (Melbourne)'],
  ['ap-southeast-5', 'Asia Pacific (Malaysia)'],
  ['ap-southeast-7', 'Asia Pacific (Thailand)'],
  ['us-gov-east-1', 'AWS GovCloud (US-East)'],
  ['us-gov-west-1', 'AWS GovCloud (US-West)'],
  ['cn-north-1', 'China (Beijing)'],
  ['cn-northwest-1', 'China (Ningxia)'],
];

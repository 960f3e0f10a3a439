import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AddressValues } from './change-address';
import { loadCliConfig, write } from './output';
import { UsageError } from './usage';

/** `dev sign-csr`: the development CA signs an agency's request; the certificate on standard output or in a file. */
async function signCsr(file: string, options: { out?: string; days: string }): Promise<void> {
  const days = Number(options.days);
  if (!Number.isInteger(days) || days < 1 || days > 825) throw new UsageError('--days must be 1 to 825');
  const { readFile } = await import('node:fs/promises');
  let csr: string;
  try {
    csr = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const config = await loadCliConfig();
  const { CsrRefused, DevCaMissing, signAgencyCsr } = await import('../identity/dev-pki/dev-csr');
  let pem: string;
  try {
    pem = await signAgencyCsr(config.tls.certsDir, csr, days);
  } catch (error) {
    if (error instanceof CsrRefused) throw new UsageError(`${file}: ${error.message}`);
    if (error instanceof DevCaMissing) throw new UsageError(error.message);
    throw error;
  }
  if (options.out === undefined) {
    await write(pem);
    return;
  }
  await writeFile(options.out, pem);
  const { certificateFacts } = await import('../identity/demo-seed');
  const facts = certificateFacts(pem);
  await write(`certificate for ${facts.subject} written to ${options.out}, fingerprint ${facts.fingerprint}\n`);
}

export function registerDevCommands(program: Command): void {
  const dev = program.command('dev').description('development tools: the dev PKI, tokens and identifiers, the demo');
  dev
    .command('certs')
    .description('regenerate the development PKI in CERTS_DIR')
    .action(async () => {
      const { devCerts } = await import('./dev-actions');
      await write(`${await devCerts(await loadCliConfig())}\n`);
    });
  dev
    .command('sign-csr')
    .description(
      "the development agency CA signs an agency's certificate signing request: a client certificate to bind " +
        'with org bind-cert',
    )
    .argument('<csr.pem>', 'the request, e.g. from: openssl req -new -newkey rsa:2048 -nodes -keyout k.pem -subj /CN=x')
    .option('--out <file>', 'write the certificate there (default: standard output)')
    .option('--days <days>', 'how long it is valid', '365')
    .action((file: string, options: { out?: string; days: string }) => signCsr(file, options));
  dev
    .command('token')
    .description('print a bearer token of the development IdP')
    .requiredOption('--sub <pivot id>', 'the citizen (or officer) it is issued to')
    .option('--role <role>', 'a role, e.g. privacy-officer')
    .option('--ttl <seconds>', 'its lifetime, 1 to 86400 (default 3600)')
    .action(async (options: { sub: string; role?: string; ttl?: string }) => {
      const { devToken } = await import('./dev-actions');
      await write(`${await devToken(await loadCliConfig(), options)}\n`);
    });
  dev
    .command('citizen-id')
    .description('print the identifier by which that organisation names the citizen')
    .requiredOption('--org <id>', 'the organisation')
    .requiredOption('--sub <pivot id>', 'the citizen')
    .action(async (options: { org: string; sub: string }) => {
      const { devCitizenId } = await import('./dev-actions');
      await write(`${await devCitizenId(await loadCliConfig(), options)}\n`);
    });
  dev
    .command('change-address')
    .description(
      'move the citizen in the SAAQ simulator, then report the change to the running gateway as saaq (mutual ' +
        'TLS), and print the change id',
    )
    .requiredOption('--sub <pivot id>', 'the citizen')
    .requiredOption('--street <street>', 'the civic number, then the street: "55 rue Principale"')
    .requiredOption('--city <city>', 'the municipality')
    .requiredOption('--postal-code <code>', 'a Canadian postal code: "H7N 1A1"')
    .option('--unit <unit>', 'the apartment')
    .option('--province <code>', 'the province code, e.g. QC')
    .action(async (options: Omit<AddressValues, 'postal-code'> & { postalCode: string }) => {
      const { changeAddress } = await import('./change-address');
      const config = await loadCliConfig();
      await write(`${await changeAddress(config, { ...options, 'postal-code': options.postalCode })}\n`);
    });
}

import type * as Ibantools from 'ibantools' with { 'resolution-mode': 'import' };

/*
 * IBAN and BIC checks from ibantools, the maintained library (ISO 13616 checksums and each country's BBAN format,
 * ISO 9362 BICs, the SEPA country list). It ships its types as an ES module beside a CommonJS build: the build is
 * loaded here and typed with those types, once for the server.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ibantools = require('ibantools') as typeof Ibantools;

export const { electronicFormatIBAN, extractIBAN, isSEPACountry, isValidBIC, isValidIBAN } = ibantools;

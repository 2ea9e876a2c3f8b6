/**
 * ISO 4217 minor units: how many decimal places each active currency's amounts carry.
 * Event amounts are integers in minor units, so points math must know the exponent
 * (1 EUR = 100 cents, 1 JPY = 1 yen, 1 KWD = 1000 fils). Kept as data, not taken from
 * `Intl`, because ICU's digits differ from ISO's for some currencies (RSD, IRR, LAK...).
 */
const CURRENCIES_BY_EXPONENT: Readonly<Record<0 | 2 | 3 | 4, string>> = {
  0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
  2:
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP " +
    "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD " +
    "FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD " +
    "KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD " +
    "NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP " +
    "SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED " +
    "VES WST XCD XCG YER ZAR ZMW ZWG",
  3: "BHD IQD JOD KWD LYD OMR TND",
  4: "CLF UYW",
};

const minorUnitExponents: ReadonlyMap<string, number> = new Map(
  Object.entries(CURRENCIES_BY_EXPONENT).flatMap(([exponent, codes]) => codes.split(" ").map((code) => [code, Number(exponent)] as const)),
);

/** The number of minor-unit decimals of an ISO 4217 code, or `undefined` for an unknown code. */
export function minorUnitExponent(currency: string): number | undefined {
  return minorUnitExponents.get(currency);
}

// @callctl/tariff: price lists, quotes, rating and the German price announcement (issue 4).
export { ZONES, FREE_ZONES, DAY_CLASSES, tariffConfigSchema, tariffsSchema, holidaysSchema, type Zone, type TariffConfig } from "./config.ts";
export { Tables, NoTariffError, type PricePoint } from "./tables.ts";
export { Quoter, type QuoteInput, type QuoteResult } from "./quote.ts";
export { rate, billedSeconds, type Rated, type RateQuote } from "./rating.ts";
export {
  amount,
  priceAnnouncement,
  priceChangeAnnouncement,
  balanceAnnouncement,
  remainingTimeAnnouncement,
  chargingStarts,
  assertSingleUnit,
  chooseUnit,
  MixedUnitError,
  UnspeakableAmountError,
  type Spoken,
  type Unit,
} from "./announce.ts";
export { cardinal, numberPrompt } from "./words.ts";
export { promptCatalog, spoken, PHRASES } from "./prompts/catalog.ts";
export { REJECT_TEXTS, rejectAnnouncement, rejectPromptId } from "./prompts/rejects.ts";
export { berlinLocal, berlinOffsetMs, parseBerlinTime, germanHolidays } from "./time.ts";
export { TariffEngine, startTariffService, watchTariffs, NotReadyError, TARIFF_RATE_SUBJECT, type TariffServiceOptions } from "./service.ts";
export { zoneForE164 } from "./zone.ts";
export { dryRunQuote, dryRunRate, DEFAULT_CONFIG, type DryRunInput } from "./dryrun.ts";

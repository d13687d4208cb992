// A small tariff document for the tests: one call-by-call brand with a day/night band, a
// night band across midnight, a band in the spring DST gap, and a future price list.
import { validateConfig } from "@callctl/core";
import { Quoter, Tables, tariffConfigSchema } from "../src/index.ts";

export function fixtureDoc(policy: "ANNOUNCE_NEW_PRICE" | "KEEP_START_PRICE" = "ANNOUNCE_NEW_PRICE"): Record<string, unknown> {
  return {
    other_service: { anything: true },
    holidays: { national: true, extra: ["2026-12-24"] },
    tariffs: {
      brands: {
        "01097": {
          service: "carrier_selection",
          unit: "cent",
          price_change_policy: policy,
          price_lists: [
            {
              id: "01097-2026",
              valid_from: "2026-01-01",
              increments: "60/60",
              zones: {
                DE_FIXED: { bands: [{ days: ["weekday"], from: "08:00", to: "18:00", price: "2.9ct" }, { price: "0.9ct" }] },
                DE_MOBILE: { bands: [{ from: "22:00", to: "06:00", price: "4.9ct" }, { price: "9.9ct" }] },
                DE_NATSUB: { bands: [{ days: ["sun"], from: "02:30", to: "05:00", price: "0.5ct" }, { price: "1.5ct" }] },
                EU_FIXED: { price: "1.49ct", increments: "60/1" },
                WORLD_MOBILE: { price: "1.29€", connect_fee: "9ct" },
              },
            },
            { id: "01097-2027", valid_from: "2027-01-01", zones: { EU_FIXED: { price: "1.9ct" } } },
          ],
        },
        callpartner: {
          service: "callback",
          unit: "auto",
          default_product: "callback",
          price_lists: [
            { id: "cp-cb", product: "callback", valid_from: "2026-01-01", increments: "1/1", zones: { DE_FIXED: { price: "1.9ct" } } },
            { id: "cp-ad", product: "ad-funded", free: true, valid_from: "2026-01-01", increments: "1/1", zones: { DE_FIXED: { price: "1.5ct" } } },
          ],
        },
      },
    },
  };
}

export function fixtureQuoter(policy?: "ANNOUNCE_NEW_PRICE" | "KEEP_START_PRICE"): Quoter {
  return new Quoter(new Tables(validateConfig(tariffConfigSchema, fixtureDoc(policy))));
}

/** Epoch ms of an ISO time written with its offset. */
export const at = (iso: string) => Date.parse(iso);

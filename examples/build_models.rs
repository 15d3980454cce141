//! Builds the bundled example models in `models/` from the public data in `data/`.
//!
//! Run it from anywhere inside the crate with
//!
//! ```sh
//! cargo run --example build_models
//! ```
//!
//! It reads (paths relative to the crate root):
//!
//! * `data/usgs_mcs2024/mcs2024-{galli,graph,raree}_world.csv`: USGS Mineral Commodity
//!   Summaries 2024, production by country (estimated 2023) of gallium (kg), natural graphite
//!   (t) and rare earths (t REO). The files are byte-identical USGS copies, and this program
//!   cleans their quirks itself: the UTF-8 BOM, non-breaking spaces, footnote letters and
//!   digits glued to country names ("Japane", "Other countries4"), quoted numbers with
//!   thousands separators ("72,000"), the codes `W` (withheld) and `NA`, the "World total
//!   (rounded)" and "Other countries" rows, blank rows and USGS country names ("Burma").
//! * `data/wmd/wmd_2022_selected_derived.csv`: germanium production by country in 2022 from
//!   World Mining Data 2024 (USGS withholds germanium country figures).
//! * `data/wgi/wgi_pv_2023_derived.csv`: World Bank WGI 2023 political-stability estimates,
//!   turned into a risk score `risk = clamp((2.5 - pv) / 5, 0, 1)`, rounded to 4 decimals.
//! * `data/groups/country_group_memberships_derived.csv`: IPEF, MSP, OECD, EU27 and G7
//!   membership, written as `;`-joined tags.
//!
//! It writes `suppliers.csv`, `demand.csv`, `countries.csv`, `constraints.csv` and (where
//! the model has them) `scenarios.csv` (disruption scenarios) and `correlation.csv` (latent
//! correlations of disruptions, for `sourcemix scenarios --correlation`) into `models/export-controls-2023/`,
//! `models/export-controls-2023-stock/` (the same with stock columns in demand.csv),
//! `models/rare-earths/` and `models/dual-sourcing/` (the hand-written `README.md` of each
//! model is left alone). Every number that does not come from `data/` is an ASSUMPTION set
//! in the tables at the top of this file and explained in the model READMEs.
//!
//! The output is deterministic: rows are sorted, numbers are rounded (capacities to whole
//! units, risks to 4 decimals, prices to cents) and printed without trailing zeros, so two
//! runs write the same bytes. Before writing, the program checks that every model is
//! feasible by construction (capacity, country caps, group minimum, risk budget, HHI cap,
//! supplier and country counts, minimum orders), and prints for each mineral the capacity
//! table and a reference cheapest mix computed independently of the `sourcemix` library, to
//! check the engine against: by greedy and Lagrangian arguments for the continuous models,
//! and by enumerating every set of used offers for a model with discrete rules.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

// ----------------------------------------------------------------------------------------
// ASSUMPTIONS shared by both models (explained in the model READMEs)
// ----------------------------------------------------------------------------------------

/// ASSUMPTION: share of a country's annual production that this buyer can contract.
const AVAILABLE_FRACTION: f64 = 0.10;
/// A country is offered only if it produces at least this share of world output.
const MIN_WORLD_SHARE: f64 = 0.001;
/// A country producing at least this share of world output gets two offers (two tranches).
const SPLIT_WORLD_SHARE: f64 = 0.10;
/// ASSUMPTION: the second tranche of a large producer costs this much more per unit.
const SECOND_TRANCHE_PREMIUM: f64 = 0.10;
/// ASSUMPTION: unmet demand costs this multiple of the highest landed unit cost of the mineral.
const UNMET_PENALTY_MULTIPLE: f64 = 3.0;
/// ASSUMPTION: producers the buyer cannot trade with at all (North Korea: UN/US sanctions).
const EXCLUDED_COUNTRIES: &[&str] = &["PRK"];
/// ASSUMPTION: ad-valorem duties paid by the (US) buyer; every other country pays 0.
const TARIFFS: &[(&str, f64)] = &[("CHN", 0.25), ("RUS", 0.35)];
/// ASSUMPTION: yearly export-disruption probability for named countries; the others get
/// one from their risk band (see [`disruption_prob`]).
const DISRUPTION_OVERRIDES: &[(&str, f64)] =
    &[("CHN", 0.10), ("MMR", 0.08), ("RUS", 0.08), ("UKR", 0.08)];
/// Groupings of the memberships file that become tags in countries.csv, and their tags.
const GROUP_TAGS: &[(&str, &str)] = &[
    ("EU27", "EU27"),
    ("G7", "G7"),
    ("IPEF", "IPEF"),
    ("MSP", "MSP"),
    ("OECD", "OECD"),
];

// ----------------------------------------------------------------------------------------
// The two models
// ----------------------------------------------------------------------------------------

/// Where a mineral's production by country comes from.
#[derive(Clone, Copy)]
enum Source {
    /// A USGS MCS 2024 world table (file name under `data/usgs_mcs2024/`), 2023 estimates.
    Usgs(&'static str),
    /// The World Mining Data extract, 2022, converted from t to kg.
    WmdGermaniumKg,
}

/// One mineral of a model: where its production comes from and what the buyer assumes.
struct MineralSpec {
    /// Mineral name as written in the model files (lower case).
    name: &'static str,
    /// Prefix of supplier ids, e.g. `ga` gives `ga-chn-1`.
    prefix: &'static str,
    source: Source,
    /// Unit of quantity, for the printed checks.
    unit: &'static str,
    /// ASSUMPTION: annual demand of the buyer.
    demand: f64,
    /// ASSUMPTION: (ISO3, unit cost, freight per unit) for every producer offered.
    prices: &'static [(&'static str, f64, f64)],
}

/// The policy rows of a model; each applies to every mineral (`*`). `None` = no such row.
struct Policy {
    max_country_share: f64,
    /// The `stage` cell of the `max_country_share` row (`Some("any")`: the EU CRMA line,
    /// every stage); `None`: constraints.csv has no `stage` column.
    country_share_stage: Option<&'static str>,
    /// `min_group_share`: (group tag, least share of demand).
    min_group: Option<(&'static str, f64)>,
    max_avg_risk: Option<f64>,
    /// `max_hhi`: Σ_c share_c² ≤ bound (0..1 scale).
    max_hhi: Option<f64>,
    /// `min_suppliers`: at least this many offers used.
    min_suppliers: Option<usize>,
    /// `max_suppliers`: at most this many offers used.
    max_suppliers: Option<usize>,
    /// `min_countries`: bought from at least this many countries.
    min_countries: Option<usize>,
}

impl Policy {
    /// Whether the policy has a rule that counts used offers or countries.
    fn has_counts(&self) -> bool {
        self.min_suppliers.is_some() || self.max_suppliers.is_some() || self.min_countries.is_some()
    }
}

/// ASSUMPTION: terms of the buyer's contracts (only the dual-sourcing model has them).
/// Offers from an incumbent country are existing call-off contracts; every other offer is a
/// new contract, with a minimum lot and a one-off qualification cost.
struct ContractTerms {
    /// Countries the buyer already buys from under running contracts.
    incumbent_countries: &'static [&'static str],
    /// Minimum lot of a new contract, as a share of the mineral's demand; set as `min_order`
    /// on every new-contract offer whose capacity reaches it (a smaller producer sells its
    /// whole available output without a minimum).
    min_lot_share: f64,
    /// `fixed_cost` of every new-contract offer, per mineral (sample testing, audit, legal).
    qualification_costs: &'static [(&'static str, f64)],
}

/// One shock of a disruption scenario (`None` = empty cell = default).
struct Shock {
    mineral: &'static str,
    country: &'static str,
    capacity_factor: Option<f64>,
    price_factor: Option<f64>,
}

/// A named disruption scenario: ASSUMPTION on its yearly probability and its shocks.
struct Scenario {
    name: &'static str,
    probability: f64,
    shocks: &'static [Shock],
    /// The event it is modelled on, with its source (printed by this program; the model
    /// README gives the same with the reasoning).
    source: &'static str,
}

/// ASSUMPTION: a latent correlation between two countries' disruptions (correlation.csv,
/// for `sourcemix scenarios --correlation`), with its reason.
struct Correlation {
    a: &'static str,
    b: &'static str,
    rho: f64,
    reason: &'static str,
}

/// A model folder to build.
struct ModelSpec {
    dir: &'static str,
    minerals: &'static [MineralSpec],
    policy: Policy,
    /// `None`: every offer is a running contract (no `min_order`, no `fixed_cost`).
    contracts: Option<ContractTerms>,
    /// Empty: no scenarios.csv is written.
    scenarios: &'static [Scenario],
    /// Empty: no correlation.csv is written.
    correlations: &'static [Correlation],
    /// `None`: demand.csv has no stock columns.
    stock: Option<StockSpec>,
    /// `None`: suppliers.csv has no stage columns (every offer is one country).
    chains: Option<&'static Chains>,
}

/// ASSUMPTIONS of a model's stockpile (demand.csv's stock columns), the same for every
/// mineral.
#[derive(Clone, Copy)]
struct StockSpec {
    /// Stock on hand, in days of demand (stock_on_hand = days / 365 · demand, whole units).
    on_hand_days: f64,
    /// The most the stock may hold, in days of demand.
    cap_days: f64,
    /// Holding cost per unit and year as a share of the mineral's cheapest landed cost.
    holding_share: f64,
}

/// Shorthand for a shock row.
const fn shock(
    mineral: &'static str,
    country: &'static str,
    capacity_factor: Option<f64>,
    price_factor: Option<f64>,
) -> Shock {
    Shock {
        mineral,
        country,
        capacity_factor,
        price_factor,
    }
}

/// ASSUMPTION: gallium prices, USD per kg, freight USD per kg.
const GALLIUM_PRICES: &[(&str, f64, f64)] = &[
    ("CHN", 300.0, 5.0),
    ("JPN", 520.0, 6.0),
    ("KOR", 500.0, 6.0),
    ("RUS", 360.0, 12.0),
];

/// ASSUMPTION: rare-earth prices, USD per t REO in concentrate, freight USD per t.
const RARE_EARTH_PRICES: &[(&str, f64, f64)] = &[
    ("AUS", 6900.0, 250.0),
    ("CHN", 5000.0, 150.0),
    ("IND", 5900.0, 200.0),
    ("MDG", 6200.0, 300.0),
    ("MMR", 4500.0, 250.0),
    ("RUS", 5500.0, 300.0),
    ("THA", 5500.0, 200.0),
    ("USA", 6500.0, 50.0),
    ("VNM", 6000.0, 200.0),
];

/// ASSUMPTION: natural graphite prices, USD per t of concentrate, freight USD per t.
const GRAPHITE_PRICES: &[(&str, f64, f64)] = &[
    ("BRA", 800.0, 70.0),
    ("CAN", 1200.0, 40.0),
    ("CHN", 600.0, 60.0),
    ("IND", 900.0, 80.0),
    ("KOR", 1050.0, 60.0),
    ("LKA", 1100.0, 80.0),
    ("MDG", 700.0, 90.0),
    ("MEX", 900.0, 40.0),
    ("MOZ", 680.0, 90.0),
    ("NOR", 1150.0, 70.0),
    ("RUS", 750.0, 100.0),
    ("TUR", 850.0, 80.0),
    ("TZA", 730.0, 90.0),
    ("UKR", 800.0, 100.0),
];

/// Gallium, germanium and natural graphite: the minerals China put under export licensing
/// in 2023, bought by a US importer.
const EXPORT_CONTROLS: ModelSpec = ModelSpec {
    dir: "models/export-controls-2023",
    minerals: &[
        MineralSpec {
            name: "gallium",
            prefix: "ga",
            source: Source::Usgs("mcs2024-galli_world.csv"),
            unit: "kg",
            demand: 500.0,
            prices: GALLIUM_PRICES,
        },
        MineralSpec {
            name: "germanium",
            prefix: "ge",
            source: Source::WmdGermaniumKg,
            unit: "kg",
            demand: 500.0,
            // USD per kg, freight USD per kg.
            prices: &[
                ("CHN", 1300.0, 15.0),
                ("JPN", 2000.0, 15.0),
                ("RUS", 1500.0, 25.0),
                ("USA", 2300.0, 5.0),
            ],
        },
        MineralSpec {
            name: "graphite",
            prefix: "gr",
            source: Source::Usgs("mcs2024-graph_world.csv"),
            unit: "t",
            demand: 10000.0,
            prices: GRAPHITE_PRICES,
        },
    ],
    policy: Policy {
        max_country_share: 0.5,
        min_group: Some(("MSP", 0.3)),
        max_avg_risk: Some(0.55),
        // ASSUMPTION: a concentration cap of 0.4 (4,000 points). The 50% country cap alone
        // still allows a 50/50 two-country mix (HHI 0.5); this cap asks for a third source.
        max_hhi: Some(0.4),
        min_suppliers: None,
        max_suppliers: None,
        min_countries: None,
        country_share_stage: None,
    },
    contracts: None,
    // ASSUMPTIONS: the probabilities and the size of each shock; the events are real
    // (sources in `source` and in the model README). One scenario is one possible year.
    scenarios: &[
        Scenario {
            name: "china-ga-ge-licensing",
            probability: 0.15,
            shocks: &[
                shock("gallium", "CHN", Some(0.5), None),
                shock("gallium", "*", None, Some(1.3)),
                shock("germanium", "CHN", Some(0.5), None),
                shock("germanium", "*", None, Some(1.3)),
            ],
            source: "MOFCOM/GAC Announcement No. 23 of 2023 (3 July 2023): gallium and \
                     germanium items need export licences from 1 August 2023; exports \
                     plunged in August-September 2023, first licences on 21 September",
        },
        Scenario {
            name: "china-graphite-licensing",
            probability: 0.10,
            shocks: &[shock("graphite", "CHN", Some(0.5), Some(1.2))],
            source: "MOFCOM/GAC Announcement No. 39 of 2023 (20 October 2023): natural \
                     flake and spherical graphite need export licences from 1 December 2023",
        },
        Scenario {
            name: "china-ga-ge-us-ban",
            probability: 0.10,
            shocks: &[
                shock("gallium", "CHN", Some(0.0), None),
                shock("gallium", "*", None, Some(1.5)),
                shock("germanium", "CHN", Some(0.0), None),
                shock("germanium", "*", None, Some(1.5)),
                shock("graphite", "CHN", Some(0.8), None),
            ],
            source: "MOFCOM Announcement No. 46 of 2024 (3 December 2024): exports of \
                     gallium, germanium and antimony items to the US 'in principle' not \
                     permitted, stricter end-use review of graphite; suspended on \
                     9 November 2025 until 27 November 2026",
        },
        Scenario {
            name: "china-all-ban",
            probability: 0.05,
            shocks: &[shock("*", "CHN", Some(0.0), None)],
            source: "no precedent: the December 2024 ban widened to graphite (an \
                     escalation of the announcements above)",
        },
        Scenario {
            name: "russia-sanctions",
            probability: 0.05,
            shocks: &[shock("*", "RUS", Some(0.0), None)],
            source: "US sanctions on Russia: Executive Order 14068 (11 March 2022) import \
                     bans and the column-2 tariffs of Public Law 117-110 (8 April 2022, \
                     the 35% tariff of this model), widened to these minerals",
        },
        Scenario {
            name: "mozambique-unrest",
            probability: 0.05,
            shocks: &[shock("graphite", "MOZ", Some(0.0), None)],
            source: "Syrah Resources declared force majeure at its Balama graphite mine \
                     (Cabo Delgado) on 12 December 2024 after post-election unrest: no \
                     production in the December 2024 quarter",
        },
    ],
    correlations: &[
        Correlation {
            a: "CHN",
            b: "RUS",
            rho: 0.5,
            reason: "strategic alignment (joint statement of 4 February 2022): a \
                     confrontation that makes China restrict exports makes new sanctions \
                     on Russia, or Russian counter-measures, more likely in the same year",
        },
        Correlation {
            a: "RUS",
            b: "UKR",
            rho: 0.5,
            reason: "the war: an escalation disrupts Ukrainian production and logistics and \
                     brings new sanctions on Russia at the same time",
        },
        Correlation {
            a: "MOZ",
            b: "TZA",
            rho: 0.3,
            reason: "neighbours: the Cabo Delgado insurgency (northern Mozambique) has \
                     crossed into southern Tanzania (Mtwara region, 2020), near its graphite \
                     projects",
        },
        Correlation {
            a: "MDG",
            b: "MOZ",
            rho: 0.2,
            reason: "the same Indian Ocean cyclone season (cyclone Freddy made landfall in \
                     both in February-March 2023)",
        },
    ],
    stock: None,
    chains: None,
};

/// The export-controls model with a stockpile: same offers, policy and scenarios.
/// ASSUMPTIONS: JOGMEC holds about 60 days of Japan's rare-metal consumption and up to
/// 180 days for the riskiest (Korea targets 100 days); this buyer starts with 30 days on
/// hand and may hold up to 60. Holding a unit for a year costs 20% of its value (capital,
/// storage, insurance: inventory carrying costs are commonly put at 15–30% a year).
const EXPORT_CONTROLS_STOCK: ModelSpec = ModelSpec {
    dir: "models/export-controls-2023-stock",
    stock: Some(StockSpec {
        on_hand_days: 30.0,
        cap_days: 60.0,
        holding_share: 0.20,
    }),
    ..EXPORT_CONTROLS
};

/// Rare-earth oxides (mine production, t REO) bought by the same kind of US importer.
const RARE_EARTHS: ModelSpec = ModelSpec {
    dir: "models/rare-earths",
    minerals: &[MineralSpec {
        name: "rare_earths",
        prefix: "ree",
        source: Source::Usgs("mcs2024-raree_world.csv"),
        unit: "t REO",
        demand: 8000.0,
        prices: RARE_EARTH_PRICES,
    }],
    policy: Policy {
        max_country_share: 0.4,
        min_group: Some(("OECD", 0.25)),
        max_avg_risk: None,
        max_hhi: None,
        min_suppliers: None,
        max_suppliers: None,
        min_countries: None,
        country_share_stage: None,
    },
    contracts: None,
    scenarios: &[
        Scenario {
            name: "china-quota-cut",
            probability: 0.10,
            shocks: &[shock("rare_earths", "CHN", Some(0.5), Some(1.3))],
            source: "illustrative (see models/rare-earths/README.md)",
        },
        Scenario {
            name: "china-ree-ban",
            probability: 0.10,
            shocks: &[shock("rare_earths", "CHN", Some(0.0), None)],
            source: "illustrative (see models/rare-earths/README.md)",
        },
        Scenario {
            name: "myanmar-border-closure",
            probability: 0.15,
            shocks: &[shock("rare_earths", "MMR", Some(0.0), None)],
            source: "illustrative (see models/rare-earths/README.md)",
        },
        Scenario {
            name: "ree-price-spike",
            probability: 0.10,
            shocks: &[shock("rare_earths", "*", None, Some(1.4))],
            source: "illustrative (see models/rare-earths/README.md)",
        },
        Scenario {
            name: "us-mine-outage",
            probability: 0.03,
            shocks: &[shock("rare_earths", "USA", Some(0.5), None)],
            source: "illustrative (see models/rare-earths/README.md)",
        },
    ],
    correlations: &[],
    stock: None,
    chains: None,
};

/// Gallium (GaN power electronics) and rare earths (NdFeB magnets) for a US maker of
/// electric drivetrains that has so far bought both from China only, under a dual-sourcing
/// policy with discrete rules. Same offers as the other two models; other demands.
const DUAL_SOURCING: ModelSpec = ModelSpec {
    dir: "models/dual-sourcing",
    minerals: &[
        MineralSpec {
            name: "gallium",
            prefix: "ga",
            source: Source::Usgs("mcs2024-galli_world.csv"),
            unit: "kg",
            demand: 1500.0,
            prices: GALLIUM_PRICES,
        },
        MineralSpec {
            name: "rare_earths",
            prefix: "ree",
            source: Source::Usgs("mcs2024-raree_world.csv"),
            unit: "t REO",
            demand: 8000.0,
            prices: RARE_EARTH_PRICES,
        },
    ],
    policy: Policy {
        max_country_share: 0.6,
        min_group: None,
        max_avg_risk: None,
        max_hhi: None,
        min_suppliers: Some(2),
        max_suppliers: Some(4),
        min_countries: Some(2),
        country_share_stage: None,
    },
    contracts: Some(ContractTerms {
        incumbent_countries: &["CHN"],
        min_lot_share: 0.10,
        qualification_costs: &[("gallium", 15000.0), ("rare_earths", 50000.0)],
    }),
    scenarios: &[],
    correlations: &[],
    stock: None,
    chains: None,
};

/// ASSUMPTIONS of a staged model: the stages of its chain and, for every producer offered,
/// where each stage takes place (suppliers.csv columns `origin_<stage>`, written in chain
/// order). The cited stage shares these chains reproduce are in
/// `data/stage_shares/stage_shares_2023_derived.csv`; `tests/it/staged_models.rs` checks them.
struct Chains {
    /// Stage names in chain order (lower case), e.g. `mine`, `refine`, `magnet`.
    stages: &'static [&'static str],
    /// (producer ISO3, one cell per stage: an ISO3 code or a mix `CHN:0.85;USA:0.15`).
    by_country: &'static [(&'static str, &'static [&'static str])],
    /// (producer ISO3, ISO3 of the state that controls its offers' supplier entities).
    controlled_by: &'static [(&'static str, &'static str)],
}

/// ASSUMPTION: rare earths, mine → refine (separation and refining to oxides) → magnet
/// (NdFeB). Chinese mines are state-controlled (the 2023 mining quota went to China Northern
/// Rare Earth Group and China Rare Earth Group). Myanmar, Thai and Madagascan concentrate is
/// separated and made into magnets in China; Lynas mines Mt Weld (AUS), separates in Kuantan
/// (MYS) and sells to Japanese magnet makers; MP Materials (USA) separated about 15% of its
/// 2023 output at Mountain Pass and shipped the rest as concentrate to China; Indian
/// monazite is separated in India (IREL, Toyotsu Rare Earths India) for Japanese magnet
/// makers; Russia and Vietnam separate and make magnets at home.
const RARE_EARTH_CHAINS: Chains = Chains {
    stages: &["mine", "refine", "magnet"],
    by_country: &[
        ("AUS", &["AUS", "MYS", "JPN"]),
        ("CHN", &["CHN", "CHN", "CHN"]),
        ("IND", &["IND", "IND", "JPN"]),
        ("MDG", &["MDG", "CHN", "CHN"]),
        ("MMR", &["MMR", "CHN", "CHN"]),
        ("RUS", &["RUS", "RUS", "RUS"]),
        ("THA", &["THA", "CHN", "CHN"]),
        ("USA", &["USA", "CHN:0.85;USA:0.15", "CHN:0.6;JPN:0.4"]),
        ("VNM", &["VNM", "VNM", "VNM"]),
    ],
    controlled_by: &[("CHN", "CHN")],
};

/// ASSUMPTION: natural graphite for battery anodes, mine → spherical (micronized,
/// spheronized, purified) → anode (coated active anode material). Flake from almost every
/// mine is spheronized in China; Syrah ships about 20% of Balama's (MOZ) flake to its
/// Vidalia (USA) anode plant; POSCO Future M (KOR) spheronizes about 40% of its feed in Korea
/// and buys the rest as Chinese spherical graphite; Canadian flake is processed in Canada
/// (Nouveau Monde, Bécancour); Norwegian and Sri Lankan flake is processed in Japan.
const GRAPHITE_CHAINS: Chains = Chains {
    stages: &["mine", "spherical", "anode"],
    by_country: &[
        ("BRA", &["BRA", "CHN", "CHN"]),
        ("CAN", &["CAN", "CAN", "CAN"]),
        ("CHN", &["CHN", "CHN", "CHN"]),
        ("IND", &["IND", "CHN", "CHN"]),
        ("KOR", &["KOR", "CHN:0.6;KOR:0.4", "KOR"]),
        ("LKA", &["LKA", "JPN", "JPN"]),
        ("MDG", &["MDG", "CHN", "CHN"]),
        ("MEX", &["MEX", "CHN", "CHN"]),
        ("MOZ", &["MOZ", "CHN:0.8;USA:0.2", "CHN:0.8;USA:0.2"]),
        ("NOR", &["NOR", "JPN", "JPN"]),
        ("RUS", &["RUS", "CHN", "CHN"]),
        ("TUR", &["TUR", "CHN", "CHN"]),
        ("TZA", &["TZA", "CHN", "CHN"]),
        ("UKR", &["UKR", "CHN", "CHN"]),
    ],
    controlled_by: &[],
};

/// The EU Critical Raw Materials Act benchmark: at most 65% from one country at any stage.
const CRMA_SHARE: f64 = 0.65;

/// models/rare-earths with chains: the same offers, demand and OECD minimum; the country cap
/// is the CRMA line at every stage.
const RARE_EARTHS_STAGES: ModelSpec = ModelSpec {
    dir: "models/rare-earths-stages",
    policy: Policy {
        max_country_share: CRMA_SHARE,
        country_share_stage: Some("any"),
        ..RARE_EARTHS.policy
    },
    scenarios: &[],
    chains: Some(&RARE_EARTH_CHAINS),
    ..RARE_EARTHS
};

/// The graphite of models/export-controls-2023 (same offers and demand) with chains, under
/// the CRMA line alone.
const GRAPHITE_STAGES: ModelSpec = ModelSpec {
    dir: "models/graphite-stages",
    minerals: &[MineralSpec {
        name: "graphite",
        prefix: "gr",
        source: Source::Usgs("mcs2024-graph_world.csv"),
        unit: "t",
        demand: 10000.0,
        prices: GRAPHITE_PRICES,
    }],
    policy: Policy {
        max_country_share: CRMA_SHARE,
        country_share_stage: Some("any"),
        min_group: None,
        max_avg_risk: None,
        max_hhi: None,
        min_suppliers: None,
        max_suppliers: None,
        min_countries: None,
    },
    contracts: None,
    scenarios: &[],
    correlations: &[],
    stock: None,
    chains: Some(&GRAPHITE_CHAINS),
};

// ----------------------------------------------------------------------------------------
// Reading and cleaning the data
// ----------------------------------------------------------------------------------------

/// Production of one mineral by country (ISO3), in model units, and the world total.
struct Production {
    world: f64,
    by_country: BTreeMap<String, f64>,
}

/// A USGS country cell, once cleaned.
enum UsgsName {
    Country(&'static str),
    /// "World total (rounded)".
    WorldTotal,
    /// "Other countries" and other aggregates that are not one country.
    Aggregate,
}

/// The USGS country names found in the tables used, and their ISO 3166-1 alpha-3 codes.
const USGS_NAMES: &[(&str, &str)] = &[
    ("Australia", "AUS"),
    ("Austria", "AUT"),
    ("Brazil", "BRA"),
    ("Burma", "MMR"),
    ("Canada", "CAN"),
    ("China", "CHN"),
    ("Congo (Kinshasa)", "COD"),
    ("Germany", "DEU"),
    ("Greenland", "GRL"),
    ("India", "IND"),
    ("Japan", "JPN"),
    ("Korea, North", "PRK"),
    ("Korea, Republic of", "KOR"),
    ("Madagascar", "MDG"),
    ("Malaysia", "MYS"),
    ("Mexico", "MEX"),
    ("Mozambique", "MOZ"),
    ("Norway", "NOR"),
    ("Russia", "RUS"),
    ("South Africa", "ZAF"),
    ("Sri Lanka", "LKA"),
    ("Tanzania", "TZA"),
    ("Thailand", "THA"),
    ("Turkey", "TUR"),
    ("Ukraine", "UKR"),
    ("United States", "USA"),
    ("Vietnam", "VNM"),
];

/// The crate root, so the program works from any current directory.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Opens a CSV file with a header row; rows may have different lengths (USGS pads).
fn csv_reader(path: &Path) -> Result<csv::Reader<fs::File>> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("{}: {e}", path.display()).into())
}

/// Header names with a leading BOM and surrounding spaces removed.
fn clean_headers(reader: &mut csv::Reader<fs::File>) -> Result<Vec<String>> {
    Ok(reader
        .headers()?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect())
}

/// Index of the column named `name`.
fn column(headers: &[String], name: &str, path: &Path) -> Result<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| format!("{}: no column `{name}`", path.display()).into())
}

/// Normalizes whitespace (USGS writes "United\u{a0}States") and trims.
fn normalize_spaces(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Looks a cleaned name up in [`USGS_NAMES`] and among the aggregate rows.
fn lookup_usgs_name(name: &str) -> Option<UsgsName> {
    if name.starts_with("World total") {
        return Some(UsgsName::WorldTotal);
    }
    if name == "Other countries" {
        return Some(UsgsName::Aggregate);
    }
    USGS_NAMES
        .iter()
        .find(|(usgs, _)| *usgs == name)
        .map(|(_, iso3)| UsgsName::Country(iso3))
}

/// Cleans a USGS country cell: exact name first, then without trailing footnote digits
/// ("Other countries4"), then without one glued footnote letter `e` ("Japane").
fn clean_usgs_name(raw: &str) -> Option<UsgsName> {
    let name = normalize_spaces(raw);
    let no_digits = name.trim_end_matches(|c: char| c.is_ascii_digit());
    lookup_usgs_name(&name)
        .or_else(|| lookup_usgs_name(no_digits))
        .or_else(|| lookup_usgs_name(no_digits.strip_suffix('e')?))
}

/// Parses a USGS number cell: `W`, `NA` and empty are `None`; thousands separators are
/// removed ("72,000"); anything else that is not a non-negative number is an error.
fn parse_usgs_number(cell: &str) -> Result<Option<f64>> {
    let text = normalize_spaces(cell);
    if text.is_empty() || text == "W" || text == "NA" {
        return Ok(None);
    }
    let digits: String = text.chars().filter(|&c| c != ',').collect();
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
        _ => Err(format!("not a USGS quantity: {cell:?}").into()),
    }
}

/// Reads the estimated 2023 production of a USGS MCS 2024 world table.
fn read_usgs(file: &str) -> Result<Production> {
    let path = root().join("data/usgs_mcs2024").join(file);
    let mut reader = csv_reader(&path)?;
    let headers = clean_headers(&mut reader)?;
    let country_col = column(&headers, "Country", &path)?;
    let prod_col = headers
        .iter()
        .position(|h| h.starts_with("Prod_") && h.ends_with("_est_2023"))
        .ok_or_else(|| format!("{}: no Prod_*_est_2023 column", path.display()))?;
    let mut world = None;
    let mut by_country = BTreeMap::new();
    for (line, record) in reader.records().enumerate() {
        let record = record?;
        let raw_name = record.get(country_col).unwrap_or("");
        if raw_name.trim().is_empty() {
            continue; // USGS pads its tables with blank rows
        }
        let value = parse_usgs_number(record.get(prod_col).unwrap_or(""))
            .map_err(|e| format!("{} record {}: {e}", path.display(), line + 1))?;
        match clean_usgs_name(raw_name) {
            Some(UsgsName::WorldTotal) => world = value,
            Some(UsgsName::Aggregate) => {}
            Some(UsgsName::Country(iso3)) => {
                if let Some(v) = value {
                    by_country.insert(iso3.to_string(), v);
                }
            }
            None => {
                return Err(format!("{}: unknown USGS country {raw_name:?}", path.display()).into())
            }
        }
    }
    let world = world.ok_or_else(|| format!("{}: no world total", path.display()))?;
    Ok(Production { world, by_country })
}

/// Reads germanium production (2022, t) from the World Mining Data extract, in kg.
fn read_wmd_germanium_kg() -> Result<Production> {
    let path = root().join("data/wmd/wmd_2022_selected_derived.csv");
    let mut reader = csv_reader(&path)?;
    let headers = clean_headers(&mut reader)?;
    let [commodity, iso3, year, production, unit] =
        ["commodity", "iso3", "year", "production", "unit"].map(|c| column(&headers, c, &path));
    let (commodity, iso3, year, production, unit) = (commodity?, iso3?, year?, production?, unit?);
    let mut world = None;
    let mut by_country = BTreeMap::new();
    for record in reader.records() {
        let record = record?;
        if &record[commodity] != "germanium" || &record[year] != "2022" {
            continue;
        }
        if &record[unit] != "t" {
            return Err(format!("{}: unexpected unit {:?}", path.display(), &record[unit]).into());
        }
        let kg = record[production].trim().parse::<f64>()? * 1000.0;
        match &record[iso3] {
            "WLD" => world = Some(kg),
            code => {
                by_country.insert(code.to_string(), kg);
            }
        }
    }
    let world = world.ok_or_else(|| format!("{}: no WLD row", path.display()))?;
    Ok(Production { world, by_country })
}

/// Reads the WGI 2023 political-stability estimate (pv) of every country that has one.
fn read_wgi_pv() -> Result<BTreeMap<String, f64>> {
    let path = root().join("data/wgi/wgi_pv_2023_derived.csv");
    let mut reader = csv_reader(&path)?;
    let headers = clean_headers(&mut reader)?;
    let (iso3, year, pv) = (
        column(&headers, "iso3", &path)?,
        column(&headers, "year", &path)?,
        column(&headers, "pv_estimate", &path)?,
    );
    let mut scores = BTreeMap::new();
    for record in reader.records() {
        let record = record?;
        let estimate = record[pv].trim();
        if &record[year] == "2023" && !record[iso3].is_empty() && !estimate.is_empty() {
            scores.insert(record[iso3].to_string(), estimate.parse::<f64>()?);
        }
    }
    Ok(scores)
}

/// Reads the group tags of every country (only the groupings in [`GROUP_TAGS`]).
fn read_groups() -> Result<BTreeMap<String, BTreeSet<&'static str>>> {
    let path = root().join("data/groups/country_group_memberships_derived.csv");
    let mut reader = csv_reader(&path)?;
    let headers = clean_headers(&mut reader)?;
    let (grouping, iso3) = (
        column(&headers, "grouping", &path)?,
        column(&headers, "iso3", &path)?,
    );
    let mut tags: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for record in reader.records() {
        let record = record?;
        if let Some((_, tag)) = GROUP_TAGS.iter().find(|(g, _)| *g == &record[grouping]) {
            tags.entry(record[iso3].to_string())
                .or_default()
                .insert(tag);
        }
    }
    Ok(tags)
}

/// Production of one mineral from its source.
fn read_production(source: Source) -> Result<Production> {
    match source {
        Source::Usgs(file) => read_usgs(file),
        Source::WmdGermaniumKg => read_wmd_germanium_kg(),
    }
}

// ----------------------------------------------------------------------------------------
// Deriving the model rows
// ----------------------------------------------------------------------------------------

/// One row of suppliers.csv.
struct Offer {
    supplier: String,
    mineral: &'static str,
    country: String,
    unit_cost: f64,
    capacity: f64,
    freight: f64,
    /// If used at all, at least this much (0 = no minimum).
    min_order: f64,
    /// Paid once if used.
    fixed_cost: f64,
    /// One `origin_<stage>` cell per stage of the model's chains (empty without chains).
    stages: Vec<String>,
    /// ISO3 of the state controlling the supplier entity, or empty.
    controlled_by: String,
}

/// One row of countries.csv.
struct Country {
    risk: f64,
    groups: Vec<&'static str>,
    tariff: f64,
    disruption_prob: f64,
}

/// Rounds to `decimals` decimal places.
fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// Risk score from the WGI political-stability estimate: clamp((2.5 - pv) / 5, 0, 1),
/// rounded to 4 decimals.
fn risk_from_pv(pv: f64) -> f64 {
    round_to(((2.5 - pv) / 5.0).clamp(0.0, 1.0), 4)
}

/// ASSUMPTION: yearly disruption probability, from [`DISRUPTION_OVERRIDES`] or else by risk
/// band: 0.02 below risk 0.35, 0.03 below 0.55, 0.05 above.
fn disruption_prob(iso3: &str, risk: f64) -> f64 {
    if let Some((_, p)) = DISRUPTION_OVERRIDES.iter().find(|(c, _)| *c == iso3) {
        *p
    } else if risk < 0.35 {
        0.02
    } else if risk < 0.55 {
        0.03
    } else {
        0.05
    }
}

/// Ad-valorem tariff the buyer pays on goods from `iso3`.
fn tariff(iso3: &str) -> f64 {
    TARIFFS
        .iter()
        .find(|(c, _)| *c == iso3)
        .map_or(0.0, |(_, t)| *t)
}

/// The offers of one mineral: one per producer above [`MIN_WORLD_SHARE`] of world output
/// (two tranches above [`SPLIT_WORLD_SHARE`]), capacity [`AVAILABLE_FRACTION`] of production.
fn offers_for(spec: &MineralSpec, production: &Production) -> Result<Vec<Offer>> {
    let producers: Vec<(&String, f64)> = production
        .by_country
        .iter()
        .filter(|(iso3, &q)| {
            q > 0.0
                && q >= MIN_WORLD_SHARE * production.world
                && !EXCLUDED_COUNTRIES.contains(&iso3.as_str())
        })
        .map(|(iso3, &q)| (iso3, q))
        .collect();
    let priced: BTreeSet<&str> = spec.prices.iter().map(|(c, _, _)| *c).collect();
    let offered: BTreeSet<&str> = producers.iter().map(|(c, _)| c.as_str()).collect();
    if priced != offered {
        return Err(format!(
            "{}: price table {priced:?} does not match the producers {offered:?}",
            spec.name
        )
        .into());
    }
    let mut offers = Vec::new();
    for (iso3, quantity) in producers {
        let (_, unit_cost, freight) = spec.prices.iter().find(|(c, _, _)| c == iso3).unwrap();
        let capacity = (AVAILABLE_FRACTION * quantity).round();
        let tranches = if quantity >= SPLIT_WORLD_SHARE * production.world {
            let first = (capacity / 2.0).round();
            vec![
                (first, *unit_cost),
                (
                    capacity - first,
                    round_to(unit_cost * (1.0 + SECOND_TRANCHE_PREMIUM), 2),
                ),
            ]
        } else {
            vec![(capacity, *unit_cost)]
        };
        for (n, (capacity, unit_cost)) in tranches.into_iter().enumerate() {
            offers.push(Offer {
                supplier: format!("{}-{}-{}", spec.prefix, iso3.to_lowercase(), n + 1),
                mineral: spec.name,
                country: iso3.clone(),
                unit_cost,
                capacity,
                freight: *freight,
                min_order: 0.0,
                fixed_cost: 0.0,
                stages: Vec::new(),
                controlled_by: String::new(),
            });
        }
    }
    Ok(offers)
}

/// Sets `min_order` and `fixed_cost` of the new-contract offers (those outside the
/// incumbent countries) from the contract terms.
fn apply_contract_terms(offers: &mut [Offer], spec: &ModelSpec) -> Result<()> {
    let Some(terms) = &spec.contracts else {
        return Ok(());
    };
    for mineral in spec.minerals {
        let qualification = terms
            .qualification_costs
            .iter()
            .find(|(m, _)| *m == mineral.name)
            .map(|(_, cost)| *cost)
            .ok_or_else(|| format!("{}: no qualification cost for {}", spec.dir, mineral.name))?;
        let lot = (terms.min_lot_share * mineral.demand).round();
        for offer in offers.iter_mut().filter(|o| o.mineral == mineral.name) {
            if terms.incumbent_countries.contains(&offer.country.as_str()) {
                continue;
            }
            offer.fixed_cost = qualification;
            if offer.capacity >= lot {
                offer.min_order = lot;
            }
        }
    }
    Ok(())
}

/// A stage cell as (ISO3, fraction) pairs: one code (fraction 1) or a mix
/// `CHN:0.85;USA:0.15`; the fractions must be positive and sum to 1.
fn parse_mix(cell: &str) -> Result<Vec<(String, f64)>> {
    let mut parts = Vec::new();
    for part in cell.split(';') {
        let (code, fraction) = match part.split_once(':') {
            Some((code, f)) => (code, f.parse::<f64>()?),
            None => (part, 1.0),
        };
        if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) || fraction <= 0.0 {
            return Err(format!("bad stage cell {cell:?}").into());
        }
        parts.push((code.to_string(), fraction));
    }
    let total: f64 = parts.iter().map(|(_, f)| f).sum();
    if (total - 1.0).abs() > 1e-12 {
        return Err(format!("stage cell {cell:?} sums to {total}, not 1").into());
    }
    Ok(parts)
}

/// Sets every offer's stage cells and `controlled_by` from the model's chains; the chains
/// must name exactly the producers offered.
fn apply_chains(offers: &mut [Offer], spec: &ModelSpec) -> Result<()> {
    let Some(chains) = spec.chains else {
        return Ok(());
    };
    let chained: BTreeSet<&str> = chains.by_country.iter().map(|(c, _)| *c).collect();
    let offered: BTreeSet<&str> = offers.iter().map(|o| o.country.as_str()).collect();
    if chained != offered {
        return Err(format!(
            "{}: chains {chained:?} do not match the producers {offered:?}",
            spec.dir
        )
        .into());
    }
    for offer in offers.iter_mut() {
        let (_, cells) = chains
            .by_country
            .iter()
            .find(|(c, _)| *c == offer.country)
            .expect("checked above");
        if cells.len() != chains.stages.len() {
            return Err(format!(
                "{}: chain of {} has the wrong length",
                spec.dir, offer.country
            )
            .into());
        }
        for cell in cells.iter() {
            parse_mix(cell)?;
        }
        offer.stages = cells.iter().map(|c| c.to_string()).collect();
        offer.controlled_by = chains
            .controlled_by
            .iter()
            .find(|(c, _)| *c == offer.country)
            .map_or(String::new(), |(_, state)| state.to_string());
    }
    Ok(())
}

/// Every country an offer names: its own, those of its stages and its controlling state.
fn countries_named(offer: &Offer) -> Result<BTreeSet<String>> {
    let mut named = BTreeSet::from([offer.country.clone()]);
    for cell in &offer.stages {
        named.extend(parse_mix(cell)?.into_iter().map(|(c, _)| c));
    }
    if !offer.controlled_by.is_empty() {
        named.insert(offer.controlled_by.clone());
    }
    Ok(named)
}

/// countries.csv rows for every country an offer names (its own, its stages', its
/// controlling state's).
fn countries_for(
    offers: &[Offer],
    pv: &BTreeMap<String, f64>,
    groups: &BTreeMap<String, BTreeSet<&'static str>>,
) -> Result<BTreeMap<String, Country>> {
    let mut countries = BTreeMap::new();
    let mut named = BTreeSet::new();
    for offer in offers {
        named.extend(countries_named(offer)?);
    }
    for iso3 in &named {
        let iso3 = iso3.as_str();
        let score = pv
            .get(iso3)
            .ok_or_else(|| format!("no WGI 2023 political-stability score for {iso3}"))?;
        let risk = risk_from_pv(*score);
        countries.insert(
            iso3.to_string(),
            Country {
                risk,
                groups: groups
                    .get(iso3)
                    .map(|g| g.iter().copied().collect())
                    .unwrap_or_default(),
                tariff: tariff(iso3),
                disruption_prob: disruption_prob(iso3, risk),
            },
        );
    }
    Ok(countries)
}

/// Landed unit cost: unit_cost · (1 + tariff) + freight.
fn landed(offer: &Offer, countries: &BTreeMap<String, Country>) -> f64 {
    offer.unit_cost * (1.0 + countries[&offer.country].tariff) + offer.freight
}

/// ASSUMPTION: unmet penalty = [`UNMET_PENALTY_MULTIPLE`] × the highest landed unit cost of
/// the mineral's offers (rounded to cents), rounded up to a whole unit.
fn unmet_penalty(offers: &[&Offer], countries: &BTreeMap<String, Country>) -> f64 {
    let highest = offers
        .iter()
        .map(|o| landed(o, countries))
        .fold(0.0, f64::max);
    (UNMET_PENALTY_MULTIPLE * round_to(highest, 2)).ceil()
}

/// A mineral's stock cells: stock on hand and cap in whole units of its days of demand,
/// holding cost the spec's share of its cheapest landed cost (cents).
fn stock_cells(
    stock: &StockSpec,
    demand: f64,
    offers: &[&Offer],
    countries: &BTreeMap<String, Country>,
) -> Vec<String> {
    let cheapest = offers
        .iter()
        .map(|o| landed(o, countries))
        .fold(f64::INFINITY, f64::min);
    vec![
        num((stock.on_hand_days / 365.0 * demand).round(), 0),
        num(round_to(stock.holding_share * cheapest, 2), 2),
        num((stock.cap_days / 365.0 * demand).round(), 0),
    ]
}

// ----------------------------------------------------------------------------------------
// Feasibility checks and a reference solution, independent of the sourcemix library
// ----------------------------------------------------------------------------------------

/// An allocation of one mineral's demand to its offers (same order as the offers).
type Mix = Vec<f64>;

/// Fills the demand greedily in increasing `key`, respecting offer capacities and the
/// country cap, taking first the cheapest offers of the required group up to its minimum.
/// For this policy shape (one cap per country, one group minimum) the greedy mix minimizes
/// Σ key·x exactly. `None` if the caps or the group minimum cannot be met.
fn greedy(
    offers: &[&Offer],
    key: &dyn Fn(&Offer) -> f64,
    in_group: &dyn Fn(&Offer) -> bool,
    demand: f64,
    policy: &Policy,
) -> Option<Mix> {
    let mut order: Vec<usize> = (0..offers.len()).collect();
    order.sort_by(|&a, &b| {
        key(offers[a])
            .total_cmp(&key(offers[b]))
            .then_with(|| offers[a].supplier.cmp(&offers[b].supplier))
    });
    let country_cap = policy.max_country_share * demand;
    let mut mix = vec![0.0; offers.len()];
    let mut by_country: BTreeMap<&str, f64> = BTreeMap::new();
    let mut filled = 0.0;
    let group_target = policy.min_group.map_or(0.0, |(_, share)| share * demand);
    let phases = [(group_target, true), (demand, false)];
    for (target, group_only) in phases {
        for &i in &order {
            if group_only && !in_group(offers[i]) {
                continue;
            }
            let used = by_country.entry(offers[i].country.as_str()).or_default();
            let take = (offers[i].capacity - mix[i])
                .min(country_cap - *used)
                .min(target - filled)
                .max(0.0);
            mix[i] += take;
            *used += take;
            filled += take;
        }
        if filled < target - 1e-9 {
            return None;
        }
    }
    Some(mix)
}

/// Σ weight·x / demand.
fn average(mix: &Mix, offers: &[&Offer], weight: &dyn Fn(&Offer) -> f64, demand: f64) -> f64 {
    mix.iter()
        .zip(offers)
        .map(|(x, o)| x * weight(o))
        .sum::<f64>()
        / demand
}

/// The exact cheapest mix under the policy, including the average-risk budget: the greedy
/// mix by landed cost if it meets the budget, otherwise the Lagrangian one (landed cost +
/// λ·risk, λ found by bisection), mixing the two greedy vertices on either side of λ so
/// that the budget holds with equality. `None` if the policy cannot be met.
fn reference_mix(
    offers: &[&Offer],
    cost: &dyn Fn(&Offer) -> f64,
    risk: &dyn Fn(&Offer) -> f64,
    in_group: &dyn Fn(&Offer) -> bool,
    demand: f64,
    policy: &Policy,
) -> Option<Mix> {
    let solve = |lambda: f64| {
        greedy(
            offers,
            &|o| cost(o) + lambda * risk(o),
            in_group,
            demand,
            policy,
        )
    };
    let avg_risk = |mix: &Mix| average(mix, offers, risk, demand);
    let cheapest = solve(0.0)?;
    let Some(budget) = policy.max_avg_risk else {
        return Some(cheapest);
    };
    if avg_risk(&cheapest) <= budget {
        return Some(cheapest);
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while avg_risk(&solve(hi)?) > budget {
        hi *= 2.0;
        if hi > 1e15 {
            return None; // the budget is below the least achievable average risk
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if avg_risk(&solve(mid)?) > budget {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let (above, below) = (solve(lo)?, solve(hi)?);
    let (r_above, r_below) = (avg_risk(&above), avg_risk(&below));
    let t = if r_above > r_below {
        (budget - r_below) / (r_above - r_below)
    } else {
        0.0
    };
    Some(
        above
            .iter()
            .zip(&below)
            .map(|(a, b)| t * a + (1.0 - t) * b)
            .collect(),
    )
}

/// HHI of a mix: Σ over countries of (quantity / demand)².
fn hhi(mix: &Mix, offers: &[&Offer], demand: f64) -> f64 {
    let mut by_country: BTreeMap<&str, f64> = BTreeMap::new();
    for (x, o) in mix.iter().zip(offers) {
        *by_country.entry(o.country.as_str()).or_default() += x;
    }
    by_country.values().map(|q| (q / demand).powi(2)).sum()
}

/// Prints the lines of a mix with quantity > 0: supplier, quantity, landed unit cost.
fn print_mix(report: &mut String, mix: &Mix, offers: &[&Offer], cost: &dyn Fn(&Offer) -> f64) {
    for (x, o) in mix.iter().zip(offers) {
        if *x > 1e-9 {
            let _ = writeln!(
                report,
                "      {:<12} {:>12.2} @ {:.2}",
                o.supplier,
                x,
                cost(o)
            );
        }
    }
}

/// Number of offers used and of countries bought from.
fn counts(mix: &Mix, offers: &[&Offer]) -> (usize, usize) {
    let used: Vec<&Offer> = mix
        .iter()
        .zip(offers)
        .filter(|(x, _)| **x > 1e-9)
        .map(|(_, o)| *o)
        .collect();
    let countries: BTreeSet<&str> = used.iter().map(|o| o.country.as_str()).collect();
    (used.len(), countries.len())
}

/// Checks that the policy can be met for one mineral and prints its capacity table and the
/// reference cheapest mix.
fn check_mineral(
    spec: &MineralSpec,
    offers: &[&Offer],
    countries: &BTreeMap<String, Country>,
    policy: &Policy,
    report: &mut String,
) -> Result<()> {
    let demand = spec.demand;
    let in_group = |o: &Offer| {
        policy
            .min_group
            .is_some_and(|(group, _)| countries[&o.country].groups.contains(&group))
    };
    let risk = |o: &Offer| countries[&o.country].risk;
    let cost = |o: &Offer| landed(o, countries);
    let total: f64 = offers.iter().map(|o| o.capacity).sum();
    let mut by_country: BTreeMap<&str, f64> = BTreeMap::new();
    for o in offers {
        *by_country.entry(o.country.as_str()).or_default() += o.capacity;
    }
    let (top_country, top_capacity) = by_country
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(c, q)| (*c, *q))
        .unwrap_or(("-", 0.0));
    let group_capacity: f64 = offers
        .iter()
        .filter(|o| in_group(o))
        .map(|o| o.capacity)
        .sum();
    let least_risk = greedy(offers, &risk, &in_group, demand, policy).ok_or_else(|| {
        format!(
            "{}: capacity, country caps or group minimum infeasible",
            spec.name
        )
    })?;
    let least_avg_risk = average(&least_risk, offers, &risk, demand);
    if policy.max_avg_risk.is_some_and(|b| least_avg_risk > b) {
        return Err(format!(
            "{}: least achievable average risk {least_avg_risk:.4} exceeds the budget",
            spec.name
        )
        .into());
    }
    let cheapest = greedy(offers, &cost, &in_group, demand, policy).expect("feasible above");
    let mix =
        reference_mix(offers, &cost, &risk, &in_group, demand, policy).expect("feasible above");
    let total_cost = |m: &Mix| m.iter().zip(offers).map(|(x, o)| x * cost(o)).sum::<f64>();

    let u = spec.unit;
    let _ = writeln!(report, "  {} ({u})", spec.name);
    let _ = writeln!(report, "    demand                        {demand:>14.0}");
    let _ = writeln!(report, "    total capacity                {total:>14.0}");
    let _ = writeln!(
        report,
        "    largest country               {top_country:>14} {top_capacity:.0}"
    );
    let _ = writeln!(
        report,
        "    capacity outside it           {:>14.0}  (need {:.0} under the {} cap)",
        total - top_capacity,
        (1.0 - policy.max_country_share) * demand,
        policy.max_country_share
    );
    if let Some((group, share)) = policy.min_group {
        let _ = writeln!(
            report,
            "    {group} capacity                {group_capacity:>14.0}  (need {:.0})",
            share * demand
        );
    }
    let _ = writeln!(
        report,
        "    least achievable avg risk     {least_avg_risk:>14.4}"
    );
    if policy.has_counts()
        || offers
            .iter()
            .any(|o| o.min_order > 0.0 || o.fixed_cost > 0.0)
    {
        return check_discrete(offers, &cost, &cheapest, demand, policy, report)
            .map_err(|e| format!("{}: {e}", spec.name).into());
    }
    let _ = writeln!(
        report,
        "    greedy cheapest: cost {:.2}, avg risk {:.4}",
        total_cost(&cheapest),
        average(&cheapest, offers, &risk, demand)
    );
    let _ = writeln!(
        report,
        "    reference optimum: cost {:.2}, avg risk {:.4}, HHI {:.6}",
        total_cost(&mix),
        average(&mix, offers, &risk, demand),
        hhi(&mix, offers, demand)
    );
    print_mix(report, &mix, offers, &cost);
    if let Some(cap) = policy.max_hhi {
        let reference_hhi = hhi(&mix, offers, demand);
        if reference_hhi <= cap {
            let _ = writeln!(
                report,
                "    HHI cap {cap}: not binding (the reference optimum has HHI {reference_hhi:.6})"
            );
        } else {
            // The cap binds; the exact optimum is a convex quadratic program, left to
            // sourcemix. Here only feasibility: a mix that obeys every row, HHI cap included.
            let budget = policy.max_avg_risk.unwrap_or(f64::INFINITY);
            let witness = [("cheapest", &cheapest), ("least-risk", &least_risk)]
                .into_iter()
                .find(|(_, m)| {
                    hhi(m, offers, demand) <= cap && average(m, offers, &risk, demand) <= budget
                })
                .ok_or_else(|| {
                    format!(
                        "{}: no mix found that meets the HHI cap {cap} and the other rows",
                        spec.name
                    )
                })?;
            let _ = writeln!(
                report,
                "    HHI cap {cap}: BINDS (reference HHI {reference_hhi:.6}); the optimum costs \
                 more than the reference. Feasible: the {} mix, HHI {:.6}, avg risk {:.4}, \
                 cost {:.2}",
                witness.0,
                hhi(witness.1, offers, demand),
                average(witness.1, offers, &risk, demand),
                total_cost(witness.1)
            );
        }
    }
    Ok(())
}

/// The cheapest way to supply `demand` from exactly the offers flagged in `used`, each used
/// offer taking at least max(min_order, 1e-6 · demand): the lower bounds first, then the rest
/// by increasing landed cost within capacities and the country cap. With only capacities,
/// one cap per country and the demand total, this greedy fill is exact (the feasible set,
/// shifted by the lower bounds, is a laminar polymatroid). `None` if the lower bounds break
/// a capacity or a cap, or the offers cannot cover the demand.
fn fill_used(
    offers: &[&Offer],
    used: &[bool],
    cost: &dyn Fn(&Offer) -> f64,
    demand: f64,
    country_cap: f64,
) -> Option<Mix> {
    let mut mix = vec![0.0; offers.len()];
    let mut by_country: BTreeMap<&str, f64> = BTreeMap::new();
    for (i, o) in offers.iter().enumerate().filter(|(i, _)| used[*i]) {
        let lower = o.min_order.max(1e-6 * demand);
        if lower > o.capacity {
            return None;
        }
        mix[i] = lower;
        *by_country.entry(o.country.as_str()).or_default() += lower;
    }
    let mut filled: f64 = mix.iter().sum();
    if filled > demand + 1e-9 || by_country.values().any(|q| *q > country_cap + 1e-9) {
        return None;
    }
    let mut order: Vec<usize> = (0..offers.len()).filter(|&i| used[i]).collect();
    order.sort_by(|&a, &b| {
        cost(offers[a])
            .total_cmp(&cost(offers[b]))
            .then_with(|| offers[a].supplier.cmp(&offers[b].supplier))
    });
    for i in order {
        let in_country = by_country.entry(offers[i].country.as_str()).or_default();
        let take = (offers[i].capacity - mix[i])
            .min(country_cap - *in_country)
            .min(demand - filled)
            .max(0.0);
        mix[i] += take;
        *in_country += take;
        filled += take;
    }
    (filled >= demand - 1e-9).then_some(mix)
}

/// For a policy with discrete rules (supplier and country counts, `min_order`,
/// `fixed_cost`) and country caps only: the exact optimum, by enumerating every set of used
/// offers that the count rules allow and filling each with [`fill_used`]; prints it next to
/// the continuous optimum (no counts, no minimum orders, no fixed costs) and the best plan
/// for each number of offers used.
fn check_discrete(
    offers: &[&Offer],
    cost: &dyn Fn(&Offer) -> f64,
    continuous: &Mix,
    demand: f64,
    policy: &Policy,
    report: &mut String,
) -> std::result::Result<(), String> {
    if policy.min_group.is_some() || policy.max_avg_risk.is_some() || policy.max_hhi.is_some() {
        return Err("the discrete check supports country caps and count rules only".into());
    }
    if offers.len() > 20 {
        return Err(format!("{} offers are too many to enumerate", offers.len()));
    }
    let country_cap = policy.max_country_share * demand;
    let purchase = |m: &Mix| m.iter().zip(offers).map(|(x, o)| x * cost(o)).sum::<f64>();
    let fixed = |m: &Mix| {
        m.iter()
            .zip(offers)
            .filter(|(x, _)| **x > 0.0)
            .map(|(_, o)| o.fixed_cost)
            .sum::<f64>()
    };
    let (n_cont, c_cont) = counts(continuous, offers);
    let _ = writeln!(
        report,
        "    continuous optimum (no counts, min_order or fixed_cost): cost {:.2}, {n_cont} \
         offers, {c_cont} countries",
        purchase(continuous)
    );
    print_mix(report, continuous, offers, cost);

    let mut best: Option<(f64, Mix)> = None;
    let mut best_by_size: BTreeMap<usize, (f64, Mix)> = BTreeMap::new();
    let mut sets = 0usize;
    for mask in 1u32..(1u32 << offers.len()) {
        let used: Vec<bool> = (0..offers.len()).map(|i| mask & (1 << i) != 0).collect();
        let size = used.iter().filter(|u| **u).count();
        let n_countries = offers
            .iter()
            .zip(&used)
            .filter(|(_, u)| **u)
            .map(|(o, _)| o.country.as_str())
            .collect::<BTreeSet<_>>()
            .len();
        if policy.min_suppliers.is_some_and(|k| size < k)
            || policy.max_suppliers.is_some_and(|k| size > k)
            || policy.min_countries.is_some_and(|k| n_countries < k)
        {
            continue;
        }
        sets += 1;
        let Some(mix) = fill_used(offers, &used, cost, demand, country_cap) else {
            continue;
        };
        let total = purchase(&mix) + fixed(&mix);
        let better = |current: &Option<(f64, Mix)>| {
            current
                .as_ref()
                .is_none_or(|(t, _)| total < t - 1e-9 * t.abs())
        };
        if better(&best) {
            best = Some((total, mix.clone()));
        }
        let entry = best_by_size.get(&size).cloned();
        if better(&entry) {
            best_by_size.insert(size, (total, mix));
        }
    }
    let (total, mix) = best.ok_or("no set of used offers meets the policy")?;
    let (n_used, n_countries) = counts(&mix, offers);
    let _ = writeln!(
        report,
        "    exact optimum ({sets} sets of used offers enumerated): cost {total:.2} (purchases \
         {:.2} + fixed costs {:.2}), {n_used} offers, {n_countries} countries",
        purchase(&mix),
        fixed(&mix)
    );
    for (x, o) in mix.iter().zip(offers) {
        if *x > 0.0 {
            let _ = writeln!(
                report,
                "      {:<12} {:>12.2} @ {:.2}  min_order {}  fixed_cost {}",
                o.supplier,
                x,
                cost(o),
                num(o.min_order, 2),
                num(o.fixed_cost, 2)
            );
        }
    }
    for (size, (total, mix)) in &best_by_size {
        let used: Vec<String> = mix
            .iter()
            .zip(offers)
            .filter(|(x, _)| **x > 0.0)
            .map(|(x, o)| format!("{} {}", o.supplier, num(*x, 4)))
            .collect();
        let _ = writeln!(
            report,
            "    best with {size} offers: cost {total:.2}: {}",
            used.join(", ")
        );
    }
    Ok(())
}

/// Quantity through each country at stage `k` (0-based) of a mix: Σ_i f_ikc · x_i.
fn through_stage(mix: &[f64], offers: &[&Offer], k: usize) -> Result<BTreeMap<String, f64>> {
    let mut by_country = BTreeMap::new();
    for (x, o) in mix.iter().zip(offers) {
        for (code, f) in parse_mix(&o.stages[k])? {
            *by_country.entry(code).or_default() += f * x;
        }
    }
    Ok(by_country)
}

/// One line per stage: the top country and its share of `total`, and the top-3 share.
fn print_stage_shares(
    report: &mut String,
    mix: &[f64],
    offers: &[&Offer],
    chains: &Chains,
    total: f64,
) -> Result<()> {
    for (k, stage) in chains.stages.iter().enumerate() {
        let mut shares: Vec<(String, f64)> = through_stage(mix, offers, k)?
            .into_iter()
            .filter(|(_, q)| *q > 0.0)
            .map(|(c, q)| (c, q / total))
            .collect();
        shares.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let top3: f64 = shares.iter().take(3).map(|(_, s)| s).sum();
        let listed: Vec<String> = shares
            .iter()
            .map(|(c, s)| format!("{c} {:.2}%", 100.0 * s))
            .collect();
        let _ = writeln!(
            report,
            "      {stage:<10} top-3 {:.2}%: {}",
            100.0 * top3,
            listed.join(", ")
        );
    }
    Ok(())
}

/// For a model with chains: the stage shares of all offers' capacity (to compare with the
/// cited shares) and of the reference mix of the shipping-country policy (the one-country
/// plan: the same policy with the stage rule applied to the shipping country only).
fn check_stages(
    spec: &MineralSpec,
    offers: &[&Offer],
    countries: &BTreeMap<String, Country>,
    policy: &Policy,
    chains: &Chains,
    report: &mut String,
) -> Result<()> {
    let capacity: Vec<f64> = offers.iter().map(|o| o.capacity).collect();
    let _ = writeln!(report, "    stage shares of the offered capacity:");
    print_stage_shares(report, &capacity, offers, chains, capacity.iter().sum())?;
    let in_group = |o: &Offer| {
        policy
            .min_group
            .is_some_and(|(group, _)| countries[&o.country].groups.contains(&group))
    };
    let cost = |o: &Offer| landed(o, countries);
    let one_country = greedy(offers, &cost, &in_group, spec.demand, policy)
        .ok_or_else(|| format!("{}: the one-country policy is infeasible", spec.name))?;
    let _ = writeln!(
        report,
        "    one-country plan (every row at the shipping country), by stage, share of demand:"
    );
    print_stage_shares(report, &one_country, offers, chains, spec.demand)
}

// ----------------------------------------------------------------------------------------
// Writing the CSV files
// ----------------------------------------------------------------------------------------

/// Formats a number with at most `decimals` decimals and no trailing zeros.
fn num(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

/// Formats an optional number; `None` is an empty cell.
fn opt_num(x: Option<f64>, decimals: usize) -> String {
    x.map_or(String::new(), |v| num(v, decimals))
}

/// Builds a CSV document from a header and rows of plain cells (no quoting needed).
fn csv_text(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut text = header.join(",") + "\n";
    for row in rows {
        assert!(
            row.iter().all(|c| !c.contains([',', '"', '\n'])),
            "cell needs quoting: {row:?}"
        );
        text.push_str(&row.join(","));
        text.push('\n');
    }
    text
}

/// Writes one file of a model folder.
fn write(dir: &Path, name: &str, text: &str) -> Result<()> {
    fs::write(dir.join(name), text).map_err(|e| format!("{}: {e}", dir.join(name).display()).into())
}

/// suppliers.csv rows, sorted by mineral then supplier id. The columns `min_order` and
/// `fixed_cost` are written only if some offer has one, `origin_<stage>` for each of
/// `stages`, and `controlled_by` only if some offer has one.
fn suppliers_csv(offers: &[Offer], stages: &[&str]) -> String {
    let contract_terms = offers
        .iter()
        .any(|o| o.min_order > 0.0 || o.fixed_cost > 0.0);
    let controlled = offers.iter().any(|o| !o.controlled_by.is_empty());
    let mut rows: Vec<Vec<String>> = offers
        .iter()
        .map(|o| {
            let mut row = vec![
                o.supplier.clone(),
                o.mineral.to_string(),
                o.country.clone(),
                num(o.unit_cost, 2),
                num(o.capacity, 0),
                num(o.freight, 2),
            ];
            if contract_terms {
                row.push(num(o.min_order, 2));
                row.push(num(o.fixed_cost, 2));
            }
            if !stages.is_empty() {
                row.extend(o.stages.iter().cloned());
            }
            if controlled {
                row.push(o.controlled_by.clone());
            }
            row
        })
        .collect();
    rows.sort_by(|a, b| (&a[1], &a[0]).cmp(&(&b[1], &b[0])));
    // Every column, or all but min_order and fixed_cost (the last two).
    let columns = &sourcemix::input::SUPPLIER_COLUMNS;
    let header = &columns[..if contract_terms { 8 } else { 6 }];
    if stages.is_empty() {
        return csv_text(header, &rows);
    }
    let origins: Vec<String> = stages.iter().map(|s| format!("origin_{s}")).collect();
    let mut header: Vec<&str> = header.to_vec();
    header.extend(origins.iter().map(String::as_str));
    if controlled {
        header.push("controlled_by");
    }
    csv_text(&header, &rows)
}

/// countries.csv rows, sorted by ISO3.
fn countries_csv(countries: &BTreeMap<String, Country>) -> String {
    let rows: Vec<Vec<String>> = countries
        .iter()
        .map(|(iso3, c)| {
            vec![
                iso3.clone(),
                num(c.risk, 4),
                c.groups.join(";"),
                num(c.tariff, 4),
                num(c.disruption_prob, 4),
            ]
        })
        .collect();
    csv_text(
        &["country", "risk", "groups", "tariff", "disruption_prob"],
        &rows,
    )
}

/// constraints.csv: the policy rows, each for every mineral.
fn constraints_csv(policy: &Policy) -> String {
    let row = |constraint: &str, target: &str, bound: String| {
        vec![
            constraint.to_string(),
            "*".into(),
            target.to_string(),
            bound,
        ]
    };
    let mut rows = vec![row(
        "max_country_share",
        "*",
        num(policy.max_country_share, 4),
    )];
    if let Some(stage) = policy.country_share_stage {
        rows[0].push(stage.to_string());
    }
    if let Some((group, share)) = policy.min_group {
        rows.push(row("min_group_share", group, num(share, 4)));
    }
    if let Some(bound) = policy.max_avg_risk {
        rows.push(row("max_avg_risk", "", num(bound, 4)));
    }
    if let Some(bound) = policy.max_hhi {
        rows.push(row("max_hhi", "", num(bound, 4)));
    }
    for (constraint, bound) in [
        ("min_suppliers", policy.min_suppliers),
        ("max_suppliers", policy.max_suppliers),
        ("min_countries", policy.min_countries),
    ] {
        if let Some(bound) = bound {
            rows.push(row(constraint, "", bound.to_string()));
        }
    }
    if policy.country_share_stage.is_none() {
        return csv_text(&["constraint", "mineral", "target", "bound"], &rows);
    }
    // Rows after the first apply to the shipping country (empty stage).
    for row in rows.iter_mut().skip(1) {
        row.push(String::new());
    }
    csv_text(
        &["constraint", "mineral", "target", "bound", "stage"],
        &rows,
    )
}

/// scenarios.csv rows, sorted by scenario, mineral and country; checks the probabilities.
fn scenarios_csv(scenarios: &[Scenario]) -> Result<String> {
    let total: f64 = scenarios.iter().map(|s| s.probability).sum();
    if total > 1.0 {
        return Err(format!("scenario probabilities sum to {total} > 1").into());
    }
    let mut rows: Vec<Vec<String>> = scenarios
        .iter()
        .flat_map(|s| {
            s.shocks.iter().map(move |k| {
                vec![
                    s.name.to_string(),
                    num(s.probability, 4),
                    k.mineral.to_string(),
                    k.country.to_string(),
                    String::new(),
                    opt_num(k.capacity_factor, 4),
                    opt_num(k.price_factor, 4),
                ]
            })
        })
        .collect();
    rows.sort_by(|a, b| (&a[0], &a[2], &a[3]).cmp(&(&b[0], &b[2], &b[3])));
    Ok(csv_text(&sourcemix::input::SCENARIO_COLUMNS, &rows))
}

/// correlation.csv rows, sorted by country pair; checks that every country is in the
/// model, every pair is listed once and the matrix is positive definite (Cholesky).
fn correlation_csv(pairs: &[Correlation], countries: &BTreeMap<String, Country>) -> Result<String> {
    let codes: Vec<&String> = countries.keys().collect();
    let index = |c: &str| {
        codes
            .iter()
            .position(|k| k.as_str() == c)
            .ok_or_else(|| format!("correlation names {c}, which is not a country of the model"))
    };
    let n = codes.len();
    let mut matrix = nalgebra::DMatrix::<f64>::identity(n, n);
    let mut rows = Vec::new();
    for p in pairs {
        let (i, j) = (index(p.a)?, index(p.b)?);
        if i == j || matrix[(i, j)] != 0.0 || p.rho.abs() >= 1.0 {
            return Err(format!(
                "correlation {}-{} {}: repeated, self or |rho| >= 1",
                p.a, p.b, p.rho
            )
            .into());
        }
        matrix[(i, j)] = p.rho;
        matrix[(j, i)] = p.rho;
        let (a, b) = if p.a < p.b { (p.a, p.b) } else { (p.b, p.a) };
        rows.push(vec![a.to_string(), b.to_string(), num(p.rho, 4)]);
    }
    if nalgebra::Cholesky::new(matrix).is_none() {
        return Err("the correlations are not positive definite".into());
    }
    rows.sort();
    Ok(csv_text(&["country_a", "country_b", "rho"], &rows))
}

/// Builds, checks and writes one model folder; appends its checks to `report`.
fn build_model(
    spec: &ModelSpec,
    pv: &BTreeMap<String, f64>,
    groups: &BTreeMap<String, BTreeSet<&'static str>>,
    report: &mut String,
) -> Result<()> {
    let mut offers = Vec::new();
    for mineral in spec.minerals {
        offers.extend(offers_for(mineral, &read_production(mineral.source)?)?);
    }
    apply_contract_terms(&mut offers, spec)?;
    apply_chains(&mut offers, spec)?;
    let countries = countries_for(&offers, pv, groups)?;
    let mut demand_rows = Vec::new();
    let _ = writeln!(report, "{}", spec.dir);
    for mineral in spec.minerals {
        let of_mineral: Vec<&Offer> = offers
            .iter()
            .filter(|o| o.mineral == mineral.name)
            .collect();
        check_mineral(mineral, &of_mineral, &countries, &spec.policy, report)?;
        if let Some(chains) = spec.chains {
            check_stages(
                mineral,
                &of_mineral,
                &countries,
                &spec.policy,
                chains,
                report,
            )?;
        }
        let mut row = vec![
            mineral.name.to_string(),
            num(mineral.demand, 0),
            num(unmet_penalty(&of_mineral, &countries), 0),
        ];
        if let Some(stock) = &spec.stock {
            row.extend(stock_cells(stock, mineral.demand, &of_mineral, &countries));
        }
        demand_rows.push(row);
    }
    demand_rows.sort();
    let dir = root().join(spec.dir);
    fs::create_dir_all(&dir)?;
    let stages = spec.chains.map_or(&[][..], |c| c.stages);
    write(&dir, "suppliers.csv", &suppliers_csv(&offers, stages))?;
    let demand_columns: &[&str] = match spec.stock {
        Some(_) => &[
            "mineral",
            "quantity",
            "unmet_penalty",
            "stock_on_hand",
            "holding_cost",
            "stock_cap",
        ],
        None => &["mineral", "quantity", "unmet_penalty"],
    };
    write(&dir, "demand.csv", &csv_text(demand_columns, &demand_rows))?;
    write(&dir, "countries.csv", &countries_csv(&countries))?;
    write(&dir, "constraints.csv", &constraints_csv(&spec.policy))?;
    if !spec.scenarios.is_empty() {
        write(&dir, "scenarios.csv", &scenarios_csv(spec.scenarios)?)?;
        for s in spec.scenarios {
            let _ = writeln!(
                report,
                "  scenario {} (p {}): {}",
                s.name, s.probability, s.source
            );
        }
    }
    if !spec.correlations.is_empty() {
        write(
            &dir,
            "correlation.csv",
            &correlation_csv(spec.correlations, &countries)?,
        )?;
        for c in spec.correlations {
            let _ = writeln!(
                report,
                "  correlation {}-{} {}: {}",
                c.a, c.b, c.rho, c.reason
            );
        }
    }
    // The same model as one workbook (`sourcemix convert`; byte-for-byte reproducible:
    // fixed creation date, no zip timestamps).
    sourcemix::tools::convert::folder_to_workbook(&dir, &dir.join(MODEL_WORKBOOK))
        .map_err(|e| format!("{}: {e}", dir.join(MODEL_WORKBOOK).display()))?;
    Ok(())
}

/// The workbook each bundled model ships beside its CSV files.
const MODEL_WORKBOOK: &str = "model.xlsx";

fn main() -> Result<()> {
    let pv = read_wgi_pv()?;
    let groups = read_groups()?;
    let mut report = String::new();
    for spec in [
        &EXPORT_CONTROLS,
        &EXPORT_CONTROLS_STOCK,
        &RARE_EARTHS,
        &DUAL_SOURCING,
        &RARE_EARTHS_STAGES,
        &GRAPHITE_STAGES,
    ] {
        build_model(spec, &pv, &groups, &mut report)?;
    }
    print!("{report}");
    Ok(())
}

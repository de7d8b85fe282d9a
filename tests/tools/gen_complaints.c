/*
 * gen_complaints.c - deterministic sample complaints with known injected scenarios.
 *
 * Writes complaints for public.complaints(id, received_at, channel, site, product,
 * segment, body) on stdout (PostgreSQL COPY text, CSV, one body per line, or a debug
 * format carrying the intended symptoms of each row), the weekly order volume per
 * site for public.exposure(week, site, volume) and the ground truth of the injected
 * scenarios (drift, shift, spike, stable references) as CSV.
 *
 * The model: every (week, site, symptom, channel) cell has an expected count =
 * per-week volume x site size x symptom share x a stable (site, symptom) affinity x
 * the channel mix x a mild yearly seasonality x the scenario multiplier; counts are
 * gamma-Poisson (mild over-dispersion, shared by the channels of one week, site and
 * symptom). Rows of a week are sorted by time and get ascending ids. Bodies are
 * composed from openers, 12+ phrasings per symptom with slot fillers (items,
 * amounts, durations, staff roles, channels...), connectors, negated distractors
 * ("the staff were not rude") and closers; some complaints carry two symptoms;
 * some rows are neutral inquiries or compliments that match no symptom.
 *
 * Deterministic across machines: own splitmix64 generator (never rand()), counts
 * drawn in a fixed order from one stream and each week's rows from a stream keyed
 * by (seed, week), timestamps computed arithmetically and printed as UTC, no
 * locale or TZ involved. Only libm's exp/log/cos/lgamma enter the count model.
 */
#include <assert.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/error.h"
#include "causeway/util/week.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Random numbers                                                            */

typedef struct rng {
    uint64_t s;
} rng;

/* splitmix64: tiny, fast, passes BigCrush; one 64-bit state per stream. */
static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static rng rng_keyed(uint64_t seed, uint64_t key)
{
    rng r = {seed ^ (key * UINT64_C(0xd1342543de82ef95))};
    r.s = rng_next(&r);
    return r;
}

/* Uniform in [0, 1). */
static double rng_u01(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n) without division (Lemire's multiply-shift; n < 2^32). */
static unsigned rng_below(rng *r, unsigned n)
{
    return (unsigned)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static int rng_chance(rng *r, double p)
{
    return rng_u01(r) < p;
}

static double rng_normal(rng *r)
{
    /* Marsaglia's polar method; the second deviate is dropped to keep state simple. */
    for (;;) {
        double u = 2.0 * rng_u01(r) - 1.0, v = 2.0 * rng_u01(r) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0)
            return u * sqrt(-2.0 * log(s) / s);
    }
}

/* Gamma(shape, 1/shape) (mean 1) for shape >= 1: Marsaglia and Tsang. */
static double rng_gamma_mean1(rng *r, double shape)
{
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = rng_normal(r), v = 1.0 + c * x;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        double u = rng_u01(r);
        if (u < 1.0 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
            return d * v / shape;
    }
}

/* Poisson(lam): inversion for small lam, PTRS (Hoermann 1993) above. */
static unsigned rng_poisson(rng *r, double lam)
{
    if (lam <= 0.0)
        return 0;
    if (lam < 12.0) {
        double p = exp(-lam), f = p, u = rng_u01(r);
        unsigned k = 0;
        while (u > f && k < 1000) {
            u -= f;
            k++;
            p *= lam / k;
            f = p;
        }
        return k;
    }
    double slam = sqrt(lam), loglam = log(lam);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = rng_u01(r) - 0.5, v = rng_u01(r), us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + lam + 0.43);
        if (us >= 0.07 && v <= vr)
            return (unsigned)k;
        if (k < 0.0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -lam + k * loglam - lgamma(k + 1.0))
            return (unsigned)k;
    }
}

static unsigned pick_weighted(rng *r, const double *w, unsigned n)
{
    double total = 0.0;
    for (unsigned i = 0; i < n; i++)
        total += w[i];
    double x = rng_u01(r) * total;
    for (unsigned i = 0; i + 1 < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* ------------------------------------------------------------------------ */
/* The world: sites, channels, products, segments                            */

enum { NSITE = 8, NCHAN = 6, NPROD = 5, NSEG = 3, NSYM = 14, NKIND = NSYM + 1 };
enum { KIND_NOISE = NSYM };

enum {
    S_ORDER_MIXUP,
    S_DISCOURTESY,
    S_BILLING_ERROR,
    S_REFUND,
    S_DIGITAL,
    S_DELAY,
    S_WRONG_INFO,
    S_NO_RESPONSE,
    S_PRODUCT_QUALITY,
    S_KNOWLEDGE_GAP,
    S_POLICY_BREACH,
    S_PROCESS_FRICTION,
    S_MANAGER,
    S_BLAME
};
enum { SITE_LEEDS, SITE_GLASGOW, SITE_BRISTOL, SITE_CARDIFF, SITE_MANCHESTER, SITE_LONDON_EAST };
enum { CH_STORE, CH_PHONE, CH_WEB, CH_APP, CH_EMAIL, CH_CHAT };

static const char *const site_ids[NSITE] = {"leeds",      "glasgow",     "bristol",    "cardiff",
                                            "manchester", "london_east", "birmingham", "belfast"};
static const char *const site_names[NSITE] = {"Leeds",      "Glasgow",     "Bristol",    "Cardiff",
                                              "Manchester", "London East", "Birmingham", "Belfast"};
/* Relative sizes: complaints and orders scale with them. */
static const double site_size[NSITE] = {1.0, 0.9, 0.8, 0.6, 1.3, 1.5, 1.2, 0.5};
static const char *const channel_ids[NCHAN] = {"store", "phone", "web", "app", "email", "chat"};
/* Channel mix per site (store-heavy Belfast, app-heavy London East...). */
static const double channel_mix[NSITE][NCHAN] = {
    {.26, .22, .18, .16, .10, .08}, {.30, .24, .16, .14, .10, .06}, {.24, .20, .20, .18, .10, .08},
    {.28, .24, .18, .14, .10, .06}, {.22, .20, .20, .20, .10, .08}, {.18, .18, .22, .26, .08, .08},
    {.25, .22, .19, .17, .10, .07}, {.36, .26, .14, .10, .10, .04}};
static const char *const product_ids[NPROD] = {"electronics", "appliances", "mobile", "furniture",
                                               "smart_home"};
static const double product_mix[NPROD] = {.28, .24, .20, .13, .15};
static const char *const items[NPROD][6] = {
    {"laptop", "television", "soundbar", "games console", "camera", "printer"},
    {"washing machine", "fridge freezer", "dishwasher", "microwave", "coffee machine",
     "vacuum cleaner"},
    {"phone", "tablet", "smartwatch", "wireless charger", "e-reader", "phone"},
    {"recliner sofa", "electric standing desk", "adjustable bed", "office chair", "massage chair",
     "recliner sofa"},
    {"smart doorbell", "thermostat", "security camera", "smart speaker", "wifi router",
     "smart plug"}};
static const char *const segment_ids[NSEG] = {"retail", "business", "premium"};
static const double segment_mix[NSEG] = {.75, .15, .10};

/* ------------------------------------------------------------------------ */
/* Symptoms and their language                                               */

/*
 * Template slots: {item} the complaint's item, {a_item} with its article, {item2}
 * ({item2_a}) another item, {amount} its price, {amount2} a lower amount, {fee} a
 * fee, {days} {mins} {n} durations and counts, {role} staff, {dept}/{dept2}
 * departments, {digital} app or website (follows the channel), {ch} how the
 * customer was in touch, {when} a past day, {by} a deadline, {day} a weekday, {ref}
 * the order number, {name} a staff first name, {site} the site's name. A
 * capitalised slot name ({Role}) capitalises the filler.
 */
static const char *const ph_order_mixup[] = {
    "I ordered {a_item} but received {item2_a} instead.",
    "My order {ref} arrived with the wrong items in it.",
    "The parcel had someone else's order in it, not mine.",
    "The {item} was missing from my delivery even though I paid for it.",
    "Half of my order was missing when it arrived.",
    "I was sent the wrong model of {item}, not the one I picked.",
    "You delivered someone else's order to my address, with their name on the label.",
    "When I opened the box there was {item2_a} in it, not the {item} I ordered.",
    "Two items were missing from order {ref} although the packing slip listed them.",
    "I collected my order from the {site} store and it was the wrong order entirely.",
    "This is the second time I have been given the wrong item.",
    "The box only had the accessories; the {item} itself was missing.",
    "My order was mixed up with another customer's order.",
    "They packed the wrong item and left out the {item} completely.",
    "I received an order that wasn't mine and mine is nowhere to be seen.",
};
static const char *const ph_discourtesy[] = {
    "{Role} was incredibly rude to me {ch}.",
    "I was shouted at by {role} in front of other customers.",
    "The way {role} spoke to me was rude and dismissive.",
    "{Role} rolled their eyes and laughed at me when I explained the problem.",
    "I have never been treated so rudely by a member of staff.",
    "{Role} hung up on me mid-sentence.",
    "{Role} was condescending and made me feel stupid.",
    "{Role} was dismissive and clearly could not be bothered to help.",
    "I was spoken to like a child by {role}.",
    "{Role} was sarcastic and unprofessional throughout.",
    "When I asked a simple question {role} snapped at me and walked off.",
    "The attitude of {role} was appalling, arrogant and rude from start to finish.",
    "{Role} swore at me {ch}.",
    "I was made to feel like a nuisance by {role}, who was openly rude.",
};
static const char *const ph_billing_error[] = {
    "I was charged twice for order {ref}.",
    "My card was double charged {amount} for a single {item}.",
    "I was charged {amount} when the price on the shelf was {amount2}.",
    "There is an unexpected fee of {fee} on my statement that nobody told me about.",
    "You took {amount} from my account but the order total was {amount2}.",
    "I have been overcharged on my last two bills.",
    "A payment of {amount} came out twice on the same day.",
    "My invoice shows the wrong amount: {amount} instead of {amount2}.",
    "I was billed for {a_item} I had already returned.",
    "There is a hidden charge of {fee} that was never mentioned at checkout.",
    "The same transaction appears twice on my bank statement.",
    "I was charged a delivery fee of {fee} even though delivery was supposed to be free.",
    "You keep charging me {fee} a month for a service I cancelled.",
    "The receipt shows I paid {amount} but the advertised price was {amount2}.",
};
static const char *const ph_refund[] = {
    "I returned the {item} {days} ago and I still have not received my refund.",
    "My refund of {amount} has not been processed.",
    "The refund should take five working days, but it has now been {days}.",
    "The refund for order {ref} never arrived in my account.",
    "Where is my refund? I sent the {item} back {days} ago.",
    "You confirmed the return but the money has not been refunded.",
    "I cancelled the order and the {amount} has never been refunded.",
    "The refund has still not gone through, {days} after you received the return.",
    "I have not been refunded the {amount} for the {item} I sent back.",
    "My refund keeps showing as pending and the money has not come back.",
    "You refunded {amount2} instead of the full {amount}.",
    "The returned {item} was received by your warehouse but no refund has been issued.",
    "I am owed a refund of {amount} and nothing has happened.",
    "My refund was approved {days} ago and is still not in my account.",
};
static const char *const ph_digital[] = {
    "{Digital} keeps crashing every time I try to check out.",
    "I can't log in to {digital}; it says my password is wrong even after resetting it.",
    "The payment page fails with an error when I enter my card details.",
    "{Digital} froze at the payment step and I had no idea whether the order went through.",
    "{Digital} shows an error message whenever I try to view my orders.",
    "I keep getting logged out of {digital}.",
    "{Digital} crashes as soon as I open it.",
    "{Digital} has been down all evening.",
    "The checkout page just spins and never loads.",
    "I have tried {n} times to place the order online and it fails with an error every time.",
    "The verification code never arrives so I cannot log in.",
    "{Digital} will not accept my card and shows a blank screen.",
    "Since the last update {digital} will not load at all.",
    "The account page on {digital} is broken and won't let me update my address.",
    "I get 'something went wrong' every time I try to pay on {digital}.",
};
static const char *const ph_delay[] = {
    "I have been waiting {days} for my {item} to be delivered.",
    "My order {ref} is {days} late and there is still no sign of it.",
    "I am still waiting for the {item} I ordered {days} ago.",
    "The delivery was due {when} and it still has not come.",
    "I waited {mins} on hold before anyone answered.",
    "I waited in the queue at the {site} store for {mins} with only one till open.",
    "The installation has been postponed {n} times.",
    "My delivery is now {days} overdue.",
    "It took {days} to get a simple repair booked.",
    "Still no delivery date for the {item}, {days} after ordering.",
    "The engineer turned up four hours late.",
    "The delivery slot came and went and nobody turned up.",
    "I have been waiting weeks for a replacement {item}.",
    "The {item} was meant to arrive {when}; {days} later I am still waiting.",
};
static const char *const ph_wrong_info[] = {
    "{Role} told me one thing and the next person told me the opposite.",
    "I was told the {item} would be delivered {by}, but that turned out to be untrue.",
    "{Role} promised me a discount of {fee} that was never honoured.",
    "Your website said the {item} was in stock, but when I got to the store it was not.",
    "I was given the wrong information about the returns window.",
    "Three different members of staff gave me three different answers.",
    "I was assured the price would be matched, then told that was never an option.",
    "The confirmation email gave the wrong delivery date.",
    "{Role} promised the {item} would be ready for collection {by}; it was not.",
    "I was told the warranty covered this, and now I am told it does not.",
    "You said I would receive a replacement, then changed your story.",
    "What it says on your website contradicts what I was told {ch}.",
    "I was misinformed about the cancellation terms.",
    "You broke your promise to fix this {by}.",
};
static const char *const ph_no_response[] = {
    "I have called {n} times and nobody has got back to me.",
    "I sent {n} emails about order {ref} and have had no reply.",
    "Nobody has responded to my complaint in {days}.",
    "I was supposed to get a call back and nobody ever called.",
    "My messages on the live chat go unanswered.",
    "I have left {n} voicemails and heard nothing.",
    "Your customer service team simply does not reply to emails.",
    "I raised this {days} ago and I have yet to hear anything back.",
    "Nobody got back to me about the {item}.",
    "The complaint form says you reply within 48 hours; it has been {days} with no response.",
    "I keep chasing and get no answer.",
    "Every email I send is ignored.",
    "I contacted you {n} times and have not had a single response.",
    "Still no reply to the message I sent {when}.",
};
static const char *const ph_quality[] = {
    "The {item} broke after {n} days of normal use.",
    "The {item} arrived damaged, with a crack down the side.",
    "The {item} is faulty and stopped working within a week.",
    "The quality of the {item} is very poor for the price.",
    "The {item} was defective straight out of the box.",
    "The {item} started falling apart within a fortnight.",
    "This is the second faulty {item} I have been sent.",
    "The {item} is cheaply made and already broken.",
    "The {item} does not work properly and makes a grinding noise.",
    "The replacement {item} has exactly the same fault.",
    "The {item} arrived dented and scratched.",
    "Poor quality all round: the {item} overheated on the first day.",
    "The {item} stopped working after one use.",
    "The {item} keeps switching itself off, it is clearly faulty.",
};
static const char *const ph_knowledge_gap[] = {
    "{Role} didn't know how to process a simple exchange.",
    "Nobody in the {site} store could answer my question about the warranty.",
    "{Role} had no idea what I was talking about.",
    "Staff did not know the difference between the two models of {item}.",
    "{Role} couldn't answer basic questions about the {item}.",
    "The person I spoke to admitted they had not been trained on the new system.",
    "Nobody seemed to know how the returns process works.",
    "I had to explain your own product to {role}.",
    "{Role} kept putting me on hold to ask someone else because they didn't know the answer.",
    "{Role} clearly lacked basic product knowledge.",
    "None of the staff knew how to set up the {item}.",
    "{Role} was unable to answer a single question about my account.",
    "The chat agent did not understand my question and gave a generic reply.",
    "{Role} had to guess, and guessed wrong, because nobody had shown them how it works.",
};
static const char *const ph_policy_breach[] = {
    "{Role} ignored your own returns policy and refused to exchange the {item}.",
    "Staff did not follow the proper procedure when I reported the problem.",
    "My personal details were shared with another customer.",
    "{Role} read out my card details in front of the whole queue.",
    "You sent my order confirmation, with my home address, to a stranger's email.",
    "The price match policy was not honoured.",
    "{Role} refused to follow the 30-day return policy printed on the receipt.",
    "Nobody checked my ID before discussing the account, which is against your own rules.",
    "You passed my phone number to a third party without my consent.",
    "The driver left the {item} on the doorstep despite the signature-required policy.",
    "{Role} skipped the usual security checks on my account.",
    "Your staff breached your own complaints procedure by closing my case without telling me.",
    "My data was shared without my permission.",
    "The store broke its own policy by refusing a receipt return within 14 days.",
};
static const char *const ph_friction[] = {
    "I was transferred {n} times and had to repeat my story every time.",
    "I have been bounced between departments for {days}.",
    "To return {a_item} I had to fill in {n} different forms.",
    "The returns process is ridiculously complicated.",
    "Every department sent me to another department.",
    "I had to go through the whole security process again each time I was passed on.",
    "You make it so hard to cancel, with endless forms and phone calls.",
    "I was passed from the store to customer services to the warehouse and back again.",
    "I was asked to send the same documents {n} times.",
    "The process to claim on the warranty is a maze of forms and phone menus.",
    "I had to phone, then email, then go in store, just to change a delivery address.",
    "The automated phone menu goes round in circles.",
    "Far too much red tape for a simple exchange.",
    "I was put through to {n} different people and each one transferred me again.",
};
static const char *const ph_manager[] = {
    "I asked to speak to a manager and was told none was available.",
    "The store manager said he would call me back and never did.",
    "I have asked for a manager {n} times and nobody senior has contacted me.",
    "The duty manager refused to come and speak to me.",
    "I escalated this to a manager {days} ago and the manager has done nothing.",
    "Your area manager has ignored my letters.",
    "The supervisor would not come to the phone.",
    "I asked for my complaint to be escalated to management and was refused.",
    "The branch manager at {site} could not be bothered to deal with it.",
    "When the manager finally appeared she walked off without resolving anything.",
    "No manager has ever looked at my complaint.",
    "I was told the manager was too busy to speak to customers.",
    "Management have ignored every request to escalate.",
    "The manager promised to ring me {by} and never called back.",
};
static const char *const ph_blame[] = {
    "The store blamed the courier and the courier blamed the store.",
    "{Dept} said it was the fault of {dept2}.",
    "Nobody will take responsibility for the mistake.",
    "Everyone I speak to blames another department.",
    "{Role} told me it was \"not our problem\" and to take it up with the manufacturer.",
    "Customer services blamed the warehouse and the warehouse blamed customer services.",
    "Instead of fixing it, staff just pointed fingers at each other.",
    "I was told it was the supplier's fault, then the delivery company's fault.",
    "No one accepts any responsibility for what went wrong.",
    "They blamed me for a mistake their own system made.",
    "{Dept} insists the problem is with {dept2}.",
    "Every team passes the blame and nothing gets fixed.",
    "The delivery team said it was the store's fault, the store said it was head office.",
    "{Role} shrugged and said it was {dept2}'s problem, not theirs.",
};

/* Negated sentences about a symptom: they must not count as that symptom. */
static const char *const neg_order_mixup[] = {
    "Nothing was missing from the order.", "The order itself was correct.",
    "There was no problem with my order.", "I did get the right items, nothing was missing."};
static const char *const neg_discourtesy[] = {"The staff were not rude.", "Nobody was rude to me.",
                                              "To be fair, {role} was not rude at all."};
static const char *const neg_billing[] = {"I was not charged twice.",
                                          "There was no extra fee on my statement."};
static const char *const neg_refund[] = {"I am not asking for a refund."};
static const char *const neg_digital[] = {"The app did not crash.",
                                          "I had no trouble logging in to the website."};
static const char *const neg_delay[] = {"The delivery itself was not late.",
                                        "I did not have to wait long."};
static const char *const neg_quality[] = {"The {item} itself is not faulty.",
                                          "There is nothing wrong with the {item} itself.",
                                          "The {item} is not broken."};
static const char *const neg_knowledge[] = {"The staff did not lack knowledge."};
static const char *const neg_no_response[] = {"I did not have to chase anyone for a reply."};

typedef struct symptom {
    const char *id;
    const char *area;
    double share; /* of all complaints, before site affinities */
    const char *const *ph;
    unsigned nph;
    const char *const *neg; /* negated sentences, or NULL */
    unsigned nneg;
} symptom;

#define PH(a) a, COUNT(a)
static const symptom symptoms[NSYM] = {
    {"order_mixup", "process", .11, PH(ph_order_mixup), PH(neg_order_mixup)},
    {"discourtesy", "engagement", .06, PH(ph_discourtesy), PH(neg_discourtesy)},
    {"billing_error", "process", .10, PH(ph_billing_error), PH(neg_billing)},
    {"refund_not_processed", "process", .06, PH(ph_refund), PH(neg_refund)},
    {"digital_malfunction", "technology", .09, PH(ph_digital), PH(neg_digital)},
    {"delay_wait", "management", .11, PH(ph_delay), PH(neg_delay)},
    {"wrong_information", "communication", .06, PH(ph_wrong_info), NULL, 0},
    {"no_response", "communication", .06, PH(ph_no_response), PH(neg_no_response)},
    {"product_quality", "standards", .08, PH(ph_quality), PH(neg_quality)},
    {"knowledge_gap", "expertise", .04, PH(ph_knowledge_gap), PH(neg_knowledge)},
    {"policy_breach", "standards", .03, PH(ph_policy_breach), NULL, 0},
    {"process_friction", "process", .05, PH(ph_friction), NULL, 0},
    {"manager_unresponsive", "leadership", .03, PH(ph_manager), NULL, 0},
    {"blame_shifting", "culture", .03, PH(ph_blame), NULL, 0},
};
static const double noise_share = .09;

/* Inquiries and compliments: no symptom. */
static const char *const ph_noise[] = {
    "Could you tell me your opening hours over the bank holiday?",
    "Do you price match on the {item}?",
    "How do I add a second cardholder to my account?",
    "I would like to update my delivery address for future orders.",
    "Is the {item} available in black?",
    "Can I collect order {ref} from the {site} store instead?",
    "What is the warranty period on the {item}?",
    "Just wanted to say {name} at the {site} store was brilliant, thank you.",
    "Great service from the delivery team today, very polite and careful.",
    "Thank you for sorting out my order so quickly.",
    "Does the {item} come with a UK plug?",
    "Do you have a student discount?",
    "Please send me a VAT receipt for order {ref}.",
    "Can you recommend an extended warranty for the {item}?",
    "{Name} on the phone was really helpful and patient.",
    "Can I change the delivery day for order {ref} to {day}?",
    "Is there parking near the {site} store?",
    "I'd like to know if the {item} can be wall mounted.",
    "Really happy with my new {item}, thanks.",
    "Do you recycle old appliances when you deliver a new {item}?",
    "What time does the {site} store open on Sundays?",
    "How do I book an installation for the {item}?",
    "Please pass my thanks to {name}, who went above and beyond.",
    "Is the {item} compatible with my existing setup?",
};
static const char *const ph_thanks[] = {
    "Just wanted to say thanks.", "Keep it up.", "Thanks again to the team.",
    "Very pleased overall.",      "Great job.",  "Will definitely shop here again."};

static const char *const openers[] = {
    "Hello,",
    "Hi,",
    "To whom it may concern,",
    "I am writing to complain.",
    "Very disappointed.",
    "Not happy at all.",
    "Regarding order {ref}:",
    "I shop at your {site} store regularly.",
    "This is about my recent order.",
    "Where do I start.",
    "Third time writing about this.",
    "I need to raise a complaint.",
    "Dear Sir or Madam,",
    "Complaint about order {ref}.",
    "I bought {a_item} from you {when}.",
    "I have been a loyal customer for {n} years.",
};
static const char *const openers_business[] = {
    "We are a business customer.", "Our company ordered {n} units of the {item}.",
    "I am writing on behalf of our office.", "As a business account holder,"};
static const char *const openers_premium[] = {"As a premium member,",
                                              "I pay for premium membership and",
                                              "I'm a premium "
                                              "customer."};
static const char *const details[] = {
    "It was a present for my daughter.",
    "I ordered it {when}.",
    "I need it for work.",
    "I have the receipt.",
    "The order number is {ref}.",
    "It cost {amount}.",
    "I used click and collect.",
    "This was my first order with you.",
    "I paid by card.",
    "I have photos if you need them.",
};
static const char *const connectors[] = {
    "On top of that, ",    "Also, ", "To make matters worse, ", "When I complained, ", "And then ",
    "Not only that, but ", "",       "What's more, ",           "Worse still, ",       "Then "};
static const char *const closers[] = {"Please sort this out.",
                                      "I want this resolved.",
                                      "Very disappointed.",
                                      "I expect this to be put right.",
                                      "I will be taking my business elsewhere.",
                                      "Not good enough.",
                                      "Sort it out.",
                                      "This is unacceptable.",
                                      "What are you going to do about it?",
                                      "Thanks.",
                                      "Regards.",
                                      "I am extremely frustrated.",
                                      "Absolutely shocking service.",
                                      "Please look into this urgently.",
                                      "I have had enough."};

/* Slot fillers. */
static const char *const f_days[] = {"ten days",  "two weeks",   "three weeks", "over a month",
                                     "six weeks", "a fortnight", "12 days",     "five weeks",
                                     "nine days", "a month",     "eight weeks", "18 days"};
static const char *const f_mins[] = {"forty minutes",      "an hour",
                                     "over an hour",       "two hours",
                                     "45 minutes",         "25 minutes",
                                     "an hour and a half", "50 minutes",
                                     "35 minutes",         "nearly three quarters of an hour"};
static const char *const f_n[] = {"three", "four",  "five", "six",    "seven",
                                  "eight", "three", "four", "several"};
/* Staff: most often someone the customer met through the row's channel. */
static const char *const f_role_any[] = {"a member of staff", "one of your staff",
                                         "the staff member",  "the delivery driver",
                                         "the engineer",      "the advisor"};
static const char *const f_role_store[] = {
    "the sales assistant", "the man at the till", "the young man on the shop floor",
    "the lady at customer services", "the person on the help desk"};
static const char *const f_role_phone[] = {"the woman I spoke to", "the man I spoke to",
                                           "the agent", "the customer service advisor"};
static const char *const f_role_online[] = {
    "the chat agent", "the agent", "the customer service advisor", "the person on the live chat"};
static const char *const f_role_email[] = {
    "the customer service advisor", "the person who answered my email", "the complaints handler"};
static const char *const f_dept[] = {
    "the warehouse",    "the courier",           "customer services", "head office",
    "the store",        "the billing team",      "the delivery firm", "the installation team",
    "the manufacturer", "the returns department"};
static const char *const f_when[] = {"on Monday",     "last Tuesday", "on Saturday",
                                     "last Thursday", "on Wednesday", "at the weekend",
                                     "last week",     "on the 3rd",   "a fortnight ago"};
static const char *const f_by[] = {"by Friday", "within 48 hours",    "the next day",
                                   "this week", "before the weekend", "by the 14th",
                                   "by Monday", "on Tuesday"};
static const char *const f_day[] = {"Monday",   "Tuesday", "Wednesday",
                                    "Thursday", "Friday",  "Saturday"};
static const char *const f_name[] = {"Priya", "Tom",     "Aisha", "Callum", "Megan", "Oluwaseun",
                                     "Rhys",  "Siobhan", "Grace", "Darren", "Mei",   "Hamza"};

/* ------------------------------------------------------------------------ */
/* Composing one body                                                        */

typedef struct row {
    unsigned site, channel, product, segment, item;
    unsigned ref;          /* order number, stable within one complaint */
    unsigned price;        /* the item's price in pence, stable within one complaint */
    unsigned kind, second; /* primary kind; second symptom or NSYM for none */
    int ref_used;          /* the order number was already mentioned */
} row;

typedef struct text {
    char buf[2048];
    size_t len;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n >= sizeof(t->buf))
        n = sizeof(t->buf) - 1 - t->len;
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

static void put_cap(text *t, const char *s, int cap)
{
    size_t at = t->len;
    puts_(t, s);
    if (cap && t->len > at && t->buf[at] >= 'a' && t->buf[at] <= 'z')
        t->buf[at] = (char)(t->buf[at] - 'a' + 'A');
}

static void put_uint(text *t, unsigned long v)
{
    char d[24];
    size_t n = 0;
    do {
        d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(t, d + sizeof(d) - n, n);
}

/* Prices in pounds: "£49" or "£49.99" (pence are dropped when zero). */
static void put_amount(text *t, unsigned pence)
{
    puts_(t, "\xc2\xa3"); /* U+00A3 POUND SIGN */
    put_uint(t, pence / 100);
    if (pence % 100) {
        char p[4] = {'.', (char)('0' + pence / 10 % 10), (char)('0' + pence % 10), 0};
        puts_(t, p);
    }
}

static unsigned draw_price(rng *r)
{
    unsigned pounds = 15 + rng_below(r, 60) + (rng_chance(r, .6) ? rng_below(r, 900) : 0);
    return pounds * 100 + (rng_chance(r, .5) ? 99 : rng_chance(r, .5) ? 0 : rng_below(r, 100));
}

static const char *article(const char *noun)
{
    return strchr("aeiou", noun[0]) ? "an " : "a ";
}

static unsigned other_item(rng *r, const row *rw)
{
    unsigned i = rng_below(r, 5);
    if (strcmp(items[rw->product][i], items[rw->product][rw->item]) == 0)
        i = (i + 1) % 5;
    return i;
}

static const char *pick(rng *r, const char *const *list, unsigned n)
{
    return list[rng_below(r, n)];
}
#define PICK(r, list) pick(r, list, COUNT(list))

static void put_digital(text *t, rng *r, const row *rw, int cap)
{
    static const char *const any[] = {"the app", "the website", "your online account",
                                      "the customer portal"};
    const char *s = rw->channel == CH_APP   ? (rng_chance(r, .5) ? "the app" : "your app")
                    : rw->channel == CH_WEB ? (rng_chance(r, .5) ? "the website" : "your website")
                                            : PICK(r, any);
    put_cap(t, s, cap);
}

static void put_channel(text *t, rng *r, const row *rw)
{
    switch (rw->channel) {
    case CH_STORE:
        if (rng_chance(r, .5)) {
            puts_(t, "at the ");
            puts_(t, site_names[rw->site]);
            puts_(t, " store");
        } else {
            puts_(t, "in store");
        }
        break;
    case CH_PHONE:
        puts_(t, rng_chance(r, .5) ? "on the phone" : "over the phone");
        break;
    case CH_WEB:
        puts_(t, rng_chance(r, .5) ? "in the website chat" : "online");
        break;
    case CH_APP:
        puts_(t, rng_chance(r, .5) ? "through the app" : "in the app chat");
        break;
    case CH_EMAIL:
        puts_(t, rng_chance(r, .5) ? "by email" : "in an email");
        break;
    default:
        puts_(t, rng_chance(r, .5) ? "on live chat" : "in the web chat");
        break;
    }
}

static void put_role(text *t, rng *r, const row *rw, int cap)
{
    const char *s = NULL;
    if (rng_chance(r, .3))
        s = PICK(r, f_role_any);
    else if (rw->channel == CH_STORE)
        s = PICK(r, f_role_store);
    else if (rw->channel == CH_PHONE)
        s = PICK(r, f_role_phone);
    else if (rw->channel == CH_EMAIL)
        s = PICK(r, f_role_email);
    else
        s = PICK(r, f_role_online);
    put_cap(t, s, cap);
}

/* Append one filler for slot `name` (length n); unknown slots are a bug. */
static void put_slot(text *t, rng *r, row *rw, const char *name, size_t n)
{
    int cap = name[0] >= 'A' && name[0] <= 'Z';
    char key[16];
    if (n >= sizeof(key))
        n = sizeof(key) - 1;
    memcpy(key, name, n);
    key[n] = '\0';
    key[0] = (char)(key[0] | 0x20); /* lower-case the first letter */
    const char *item = items[rw->product][rw->item];
    if (strcmp(key, "item") == 0) {
        put_cap(t, item, cap);
    } else if (strcmp(key, "a_item") == 0) {
        put_cap(t, article(item), cap);
        puts_(t, item);
    } else if (strcmp(key, "item2") == 0) {
        put_cap(t, items[rw->product][other_item(r, rw)], cap);
    } else if (strcmp(key, "item2_a") == 0) {
        const char *o = items[rw->product][other_item(r, rw)];
        put_cap(t, article(o), cap);
        puts_(t, o);
    } else if (strcmp(key, "amount") == 0) {
        put_amount(t, rw->price);
    } else if (strcmp(key, "amount2") == 0) {
        /* A related amount: what it should have been, or what came back. */
        put_amount(t, rw->price / 100 * (50 + rng_below(r, 45)));
    } else if (strcmp(key, "fee") == 0) {
        put_amount(t, 199 + 100 * rng_below(r, 30) + (rng_chance(r, .5) ? 0 : 50));
    } else if (strcmp(key, "days") == 0) {
        put_cap(t, PICK(r, f_days), cap);
    } else if (strcmp(key, "mins") == 0) {
        put_cap(t, PICK(r, f_mins), cap);
    } else if (strcmp(key, "n") == 0) {
        put_cap(t, PICK(r, f_n), cap);
    } else if (strcmp(key, "role") == 0) {
        put_role(t, r, rw, cap);
    } else if (strcmp(key, "dept") == 0 || strcmp(key, "dept2") == 0) {
        put_cap(t, PICK(r, f_dept), cap);
    } else if (strcmp(key, "digital") == 0) {
        put_digital(t, r, rw, cap);
    } else if (strcmp(key, "ch") == 0) {
        put_channel(t, r, rw);
    } else if (strcmp(key, "when") == 0) {
        put_cap(t, PICK(r, f_when), cap);
    } else if (strcmp(key, "by") == 0) {
        put_cap(t, PICK(r, f_by), cap);
    } else if (strcmp(key, "day") == 0) {
        puts_(t, PICK(r, f_day));
    } else if (strcmp(key, "ref") == 0) {
        puts_(t, rng_chance(r, .3) ? "#" : "");
        put_uint(t, rw->ref);
        rw->ref_used = 1;
    } else if (strcmp(key, "name") == 0) {
        put_cap(t, PICK(r, f_name), cap);
    } else if (strcmp(key, "site") == 0) {
        puts_(t, site_names[rw->site]);
    } else {
        abort(); /* a template names a slot this function does not know */
    }
}

/*
 * Render template `tpl` after a space; `lower` turns a leading capital into lower
 * case (after a connector), except for "I".
 */
static void render(text *t, rng *r, row *rw, const char *tpl, int lower)
{
    if (t->len > 0 && t->buf[t->len - 1] != ' ')
        put(t, " ", 1);
    size_t start = t->len;
    for (const char *p = tpl; *p;) {
        const char *open = strchr(p, '{');
        if (!open) {
            puts_(t, p);
            break;
        }
        put(t, p, (size_t)(open - p));
        const char *close = strchr(open, '}');
        if (!close)
            abort();
        put_slot(t, r, rw, open + 1, (size_t)(close - open - 1));
        p = close + 1;
    }
    char c0 = t->buf[start], c1 = t->buf[start + 1];
    if (lower && t->len > start + 1 && c0 >= 'A' && c0 <= 'Z' &&
        !(c0 == 'I' && (c1 == ' ' || c1 == '\'')))
        t->buf[start] = (char)(c0 - 'A' + 'a');
}

static unsigned pick_second(rng *r, unsigned primary)
{
    double w[NSYM];
    for (unsigned i = 0; i < NSYM; i++)
        w[i] = i == primary ? 0.0 : symptoms[i].share;
    return pick_weighted(r, w, NSYM);
}

static void compose(text *t, rng *r, row *rw)
{
    t->len = 0;
    t->buf[0] = '\0';
    if (rw->kind == KIND_NOISE) {
        rw->second = NSYM;
        if (rng_chance(r, .3)) {
            /* A compliment with a negated symptom sentence: still no symptom. */
            static const unsigned negatable[] = {S_ORDER_MIXUP, S_DISCOURTESY, S_DELAY,
                                                 S_PRODUCT_QUALITY, S_DIGITAL};
            const symptom *s = &symptoms[negatable[rng_below(r, COUNT(negatable))]];
            render(t, r, rw, pick(r, s->neg, s->nneg), 0);
            render(t, r, rw, PICK(r, ph_thanks), 0);
        } else {
            int greet = rng_chance(r, .25);
            if (greet)
                render(t, r, rw, rng_chance(r, .5) ? "Hello," : "Hi,", 0);
            render(t, r, rw, PICK(r, ph_noise), greet);
            if (rng_chance(r, .3))
                render(t, r, rw, rng_chance(r, .5) ? "Thanks." : "Many thanks.", 0);
        }
        return;
    }
    const symptom *s = &symptoms[rw->kind];
    int lower = 0;
    if (rng_chance(r, .45)) {
        const char *op = rw->segment == 1 && rng_chance(r, .5)   ? PICK(r, openers_business)
                         : rw->segment == 2 && rng_chance(r, .5) ? PICK(r, openers_premium)
                                                                 : PICK(r, openers);
        render(t, r, rw, op, 0);
        /* "Hello, the app..." and "As a premium member, the app..." go on in one sentence. */
        char last = op[strlen(op) - 1];
        lower = last == ',' || (last >= 'a' && last <= 'z');
    }
    render(t, r, rw, pick(r, s->ph, s->nph), lower);
    if (rng_chance(r, .2)) {
        const char *detail = PICK(r, details);
        if (!(rw->ref_used && strstr(detail, "{ref}")))
            render(t, r, rw, detail, 0);
    }
    rw->second = NSYM;
    if (rng_chance(r, .15)) {
        rw->second = pick_second(r, rw->kind);
        const char *conn = PICK(r, connectors);
        if (t->len > 0)
            put(t, " ", 1);
        puts_(t, conn);
        const symptom *s2 = &symptoms[rw->second];
        render(t, r, rw, pick(r, s2->ph, s2->nph), conn[0] != '\0');
    }
    if (rng_chance(r, .1)) {
        /* A distractor about a symptom this complaint does not have. */
        unsigned k = rng_below(r, NSYM);
        for (unsigned tries = 0; tries < NSYM; tries++, k = (k + 1) % NSYM)
            if (k != rw->kind && k != rw->second && symptoms[k].neg)
                break;
        if (symptoms[k].neg && k != rw->kind && k != rw->second)
            render(t, r, rw, pick(r, symptoms[k].neg, symptoms[k].nneg), 0);
    }
    if (rng_chance(r, .55))
        render(t, r, rw, PICK(r, closers), 0);
}

/* ------------------------------------------------------------------------ */
/* Output                                                                    */

typedef struct obuf {
    FILE *f;
    char *buf;
    size_t len, cap;
    int failed;
} obuf;

static void ob_flush(obuf *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->failed = 1;
    o->len = 0;
}

static void ob_put(obuf *o, const char *s, size_t n)
{
    if (o->len + n > o->cap)
        ob_flush(o);
    if (n > o->cap) {
        if (fwrite(s, 1, n, o->f) != n)
            o->failed = 1;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void ob_str(obuf *o, const char *s)
{
    ob_put(o, s, strlen(s));
}

static void ob_uint(obuf *o, uint64_t v)
{
    char d[24];
    size_t n = 0;
    do {
        d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    ob_put(o, d + sizeof(d) - n, n);
}

/* COPY text format: backslash, tab, newline and carriage return are escaped. */
static void ob_copy_text(obuf *o, const char *s, size_t n)
{
    /* s is NUL-terminated at n: strcspn finds the next special byte quickly. */
    for (size_t from = 0; from < n;) {
        size_t k = strcspn(s + from, "\\\t\n\r");
        if (from + k >= n) {
            ob_put(o, s + from, n - from);
            return;
        }
        char c = s[from + k];
        char esc[2] = {'\\', c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r'};
        ob_put(o, s + from, k);
        ob_put(o, esc, 2);
        from += k + 1;
    }
}

static void ob_csv_text(obuf *o, const char *s, size_t n)
{
    size_t from = 0;
    ob_put(o, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '"')
            continue;
        ob_put(o, s + from, i + 1 - from);
        ob_put(o, "\"", 1);
        from = i + 1;
    }
    ob_put(o, s + from, n - from);
    ob_put(o, "\"", 1);
}

/* ------------------------------------------------------------------------ */
/* Options, the count model, scenarios                                       */

enum format { FMT_COPY, FMT_LINES, FMT_CSV, FMT_DEBUG };

typedef struct options {
    uint64_t seed;
    unsigned weeks;
    cw_week start;
    double per_week;
    unsigned long long rows; /* 0: not given */
    enum format format;
    const char *truth, *exposure;
    int scenarios;
} options;

/* Scenario weeks, relative to the history so they work for 52..104 weeks. */
typedef struct plan {
    unsigned drift_onset, shift_onset, spike_week;
    unsigned fix_week; /* both recorded fixes start here (truth kinds fix_works, fix_none) */
} plan;

static plan make_plan(unsigned weeks)
{
    plan p;
    p.drift_onset = (unsigned)lround(0.60 * weeks);
    /* Compounding over more than ~30 weeks (x4.3) would swamp everything else. */
    if (weeks - p.drift_onset > 30)
        p.drift_onset = weeks - 30;
    p.shift_onset = (unsigned)lround(0.75 * weeks);
    p.spike_week = (unsigned)lround(0.85 * weeks);
    if (weeks >= 8 && p.spike_week > weeks - 4)
        p.spike_week = weeks - 4; /* never in the last three weeks */
    if (p.spike_week >= weeks)
        p.spike_week = weeks - 1;
    if (p.drift_onset >= weeks)
        p.drift_onset = weeks - 1;
    if (p.shift_onset >= weeks)
        p.shift_onset = weeks - 1;
    /* Half a year of history before the fixes and most of a year after them; in a
     * 78-week history from January they start in December, where the before and after
     * half-years have the same mean season. */
    p.fix_week = (unsigned)lround(0.615 * weeks);
    return p;
}

/*
 * +5 %/week: a gradual rise (+89 % a quarter for the symptom, less for its cause area)
 * that the site's weekly noise (gamma CV ~14 % on Poisson) lets a detector see within
 * about three months. At +3 %/week the same data showed the rise after 18 weeks and its
 * shape read as a step; bench_detect measures the delays at each slope and noise level.
 */
static const double DRIFT_RATE = 0.05, SHIFT_FACTOR = 2.5, SPIKE_FACTOR = 4.0;
/*
 * The fix that works prevents 40 % of its target's complaints from its start week: each
 * such complaint is drawn and composed as before (so every other row, count and text
 * stays as it was) and then, with a chance of 40 % decided by the row's own stream, is
 * written as a neutral message instead. The total number of rows does not change.
 */
static const double FIX_CUT = 0.40;
static const double SEASON_AMPLITUDE = 0.06, GAMMA_SHAPE = 50.0, ORDERS_PER_COMPLAINT = 55.0;

static double scenario_mult(const options *o, const plan *p, unsigned w, unsigned site, unsigned k,
                            unsigned ch)
{
    if (!o->scenarios || k >= NSYM)
        return 1.0;
    double m = 1.0;
    if (k == S_ORDER_MIXUP && site == SITE_LEEDS && w >= p->drift_onset)
        m *= pow(1.0 + DRIFT_RATE, (double)(w - p->drift_onset));
    if (k == S_DIGITAL && ch == CH_APP && w >= p->shift_onset)
        m *= SHIFT_FACTOR;
    if (k == S_DELAY && site == SITE_GLASGOW && w == p->spike_week)
        m *= SPIKE_FACTOR;
    return m;
}

/* A stable (site, symptom) affinity in 0.8..1.25, with fixed values for the scenario cells. */
static double affinity(unsigned site, unsigned k)
{
    /* The scenario symptoms dominate their cause area at their site, as a cause area's
     * main symptom does, so the area x site series the ranking reads carries them. */
    if (k == S_ORDER_MIXUP && site == SITE_LEEDS)
        return 4.0; /* ~30/week at the default volume: a real drift, not a spike */
    if (k == S_DELAY && site == SITE_GLASGOW)
        return 3.0;
    if (k == S_DISCOURTESY && site == SITE_BRISTOL)
        return 1.5;
    if (k == S_PRODUCT_QUALITY && site == SITE_CARDIFF)
        return 1.6;
    if (k == S_BILLING_ERROR && site == SITE_MANCHESTER)
        return 1.2;
    rng h = rng_keyed(UINT64_C(0x5eed), site * 31u + k);
    return 0.8 + 0.45 * rng_u01(&h);
}

/* Channel affinity of a kind: digital complaints come through the app and web. */
static double channel_affinity(unsigned k, unsigned ch)
{
    if (k == S_DIGITAL)
        return ch == CH_APP ? 5.0 : ch == CH_WEB ? 2.0 : 0.6;
    if (k == S_DISCOURTESY)
        return ch == CH_STORE ? 1.8 : ch == CH_PHONE ? 1.5 : 0.6;
    return 1.0;
}

static double season(cw_week w)
{
    /* Peak in early December (the Christmas rush), trough in early June. */
    const double year = 365.2425;
    long ref = cw_week_days_from_civil(2024, 12, 6);
    double x = (double)(cw_week_monday(w) + 3 - ref) / year;
    return 1.0 + SEASON_AMPLITUDE * cos(2.0 * 3.14159265358979323846 * x);
}

typedef struct model {
    unsigned weeks;
    double *lam;             /* expected count per cell (scenarios included) */
    uint32_t *count;         /* drawn count per cell */
    double site_base[NSITE]; /* complaints per week per site before seasonality */
} model;

static size_t cell(unsigned w, unsigned s, unsigned k, unsigned c)
{
    return (((size_t)w * NSITE + s) * NKIND + k) * NCHAN + c;
}

static double kind_share(unsigned k)
{
    return k == KIND_NOISE ? noise_share : symptoms[k].share;
}

/* Expected counts per cell for per-week volume `per_week`; returns their sum. */
static double fill_lambda(model *m, const options *o, const plan *p, double per_week)
{
    double norm = 0.0;
    for (unsigned s = 0; s < NSITE; s++)
        for (unsigned k = 0; k < NKIND; k++)
            norm += site_size[s] * kind_share(k) * (k == KIND_NOISE ? 1.0 : affinity(s, k));
    double total = 0.0;
    for (unsigned s = 0; s < NSITE; s++) {
        m->site_base[s] = 0.0;
        for (unsigned k = 0; k < NKIND; k++) {
            double base = per_week * site_size[s] * kind_share(k) *
                          (k == KIND_NOISE ? 1.0 : affinity(s, k)) / norm;
            m->site_base[s] += base;
            double chnorm = 0.0;
            for (unsigned c = 0; c < NCHAN; c++)
                chnorm += channel_mix[s][c] * channel_affinity(k, c);
            for (unsigned w = 0; w < m->weeks; w++) {
                double sw = season(o->start + (cw_week)w);
                for (unsigned c = 0; c < NCHAN; c++) {
                    double l = base * sw * channel_mix[s][c] * channel_affinity(k, c) / chnorm *
                               scenario_mult(o, p, w, s, k, c);
                    m->lam[cell(w, s, k, c)] = l;
                    total += l;
                }
            }
        }
    }
    return total;
}

/* Fenwick tree over cell counts: pick the cell of the r-th row in O(log n). */
static void fen_add(uint64_t *t, size_t n, size_t i, int64_t d)
{
    for (i++; i <= n; i += i & (~i + 1))
        t[i - 1] = (uint64_t)((int64_t)t[i - 1] + d);
}

static size_t fen_find(const uint64_t *t, size_t n, uint64_t r)
{
    size_t pos = 0, step = 1;
    while (step * 2 <= n)
        step *= 2;
    for (; step; step /= 2)
        if (pos + step <= n && t[pos + step - 1] <= r) {
            pos += step;
            r -= t[pos - 1];
        }
    return pos;
}

/* Make the total exactly `rows`: add rows where they are expected, remove at random. */
static int fix_total(model *m, rng *r, size_t ncells, uint64_t total, uint64_t rows)
{
    if (total < rows) {
        double *cum = malloc(ncells * sizeof(*cum));
        if (!cum)
            return -1;
        double acc = 0.0;
        for (size_t i = 0; i < ncells; i++)
            cum[i] = acc += m->lam[i];
        for (; total < rows; total++) {
            double x = rng_u01(r) * acc;
            size_t lo = 0, hi = ncells - 1;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (cum[mid] > x)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            m->count[lo]++;
        }
        free(cum);
    } else if (total > rows) {
        uint64_t *fen = calloc(ncells, sizeof(*fen));
        if (!fen)
            return -1;
        for (size_t i = 0; i < ncells; i++)
            fen_add(fen, ncells, i, m->count[i]);
        for (; total > rows; total--) {
            size_t i = fen_find(fen, ncells, rng_next(r) % total);
            m->count[i]--;
            fen_add(fen, ncells, i, -1);
        }
        free(fen);
    }
    return 0;
}

static int draw_counts(model *m, const options *o, const plan *p)
{
    size_t ncells = (size_t)m->weeks * NSITE * NKIND * NCHAN;
    double per_week = o->per_week;
    double expected = fill_lambda(m, o, p, per_week);
    if (o->rows) {
        per_week *= (double)o->rows / expected;
        fill_lambda(m, o, p, per_week);
    }
    rng r = rng_keyed(o->seed, UINT64_C(0xc0ffee));
    uint64_t total = 0;
    for (unsigned w = 0; w < m->weeks; w++)
        for (unsigned s = 0; s < NSITE; s++)
            for (unsigned k = 0; k < NKIND; k++) {
                double g = rng_gamma_mean1(&r, GAMMA_SHAPE);
                for (unsigned c = 0; c < NCHAN; c++) {
                    size_t i = cell(w, s, k, c);
                    m->count[i] = rng_poisson(&r, m->lam[i] * g);
                    total += m->count[i];
                }
            }
    if (o->rows && fix_total(m, &r, ncells, total, o->rows) < 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Rows of one week                                                          */

typedef struct rec {
    uint32_t sec; /* seconds since the week's Monday 00:00 UTC */
    uint32_t seq; /* generation order: a total order for equal times */
    uint8_t site, channel, kind;
} rec;

/*
 * Sort a week's records by time: LSD radix sort on the 20-bit second of the week,
 * two stable passes of 10 bits (O(n), the records arrive in `seq` order, so equal
 * times keep it). `tmp` has room for n records.
 */
static void sort_by_time(rec *recs, rec *tmp, size_t n)
{
    for (unsigned shift = 0; shift < 20; shift += 10) {
        size_t start[1025] = {0};
        for (size_t i = 0; i < n; i++)
            start[((recs[i].sec >> shift) & 1023u) + 1]++;
        for (size_t b = 1; b <= 1024; b++)
            start[b] += start[b - 1];
        for (size_t i = 0; i < n; i++)
            tmp[start[(recs[i].sec >> shift) & 1023u]++] = recs[i];
        memcpy(recs, tmp, n * sizeof(*recs));
    }
}

/* Lookup tables for the day of the week and the hour of a complaint. */
typedef struct timetab {
    uint8_t day[100];
    uint8_t hour[1279];
} timetab;

static void timetab_init(timetab *tt)
{
    static const unsigned day_w[7] = {17, 16, 15, 15, 14, 12, 11};
    static const unsigned hour_w[24] = {10,  5,  3,  3,  3,  5,  10, 30, 60, 90, 100, 100,
                                        100, 90, 90, 90, 80, 80, 80, 80, 70, 50, 30,  20};
    size_t at = 0;
    for (unsigned d = 0; d < 7; d++)
        for (unsigned k = 0; k < day_w[d]; k++)
            tt->day[at++] = (uint8_t)d;
    assert(at == sizeof(tt->day));
    at = 0;
    for (unsigned h = 0; h < 24; h++)
        for (unsigned k = 0; k < hour_w[h]; k++)
            tt->hour[at++] = (uint8_t)h;
    assert(at == sizeof(tt->hour));
}

static uint32_t draw_time(rng *r, const timetab *tt)
{
    unsigned d = tt->day[rng_below(r, sizeof(tt->day))];
    unsigned h = tt->hour[rng_below(r, sizeof(tt->hour))];
    return (uint32_t)(d * 86400u + h * 3600u + rng_below(r, 3600));
}

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

static void write_row(obuf *ob, const options *o, uint64_t id, const char *date, uint32_t sec,
                      const row *rw, const text *t)
{
    if (o->format == FMT_LINES) {
        ob_copy_text(ob, t->buf, t->len); /* bodies hold no newline; escape just in case */
        ob_put(ob, "\n", 1);
        return;
    }
    char sep = o->format == FMT_CSV ? ',' : '\t';
    char ts[32];
    memcpy(ts, date, 10);
    ts[10] = ' ';
    unsigned in_day = sec % 86400u;
    put2(ts + 11, in_day / 3600);
    ts[13] = ':';
    put2(ts + 14, in_day / 60 % 60);
    ts[16] = ':';
    put2(ts + 17, in_day % 60);
    memcpy(ts + 19, "+00", 3);
    ob_uint(ob, id);
    ob_put(ob, &sep, 1);
    ob_put(ob, ts, 22);
    const char *cols[4] = {channel_ids[rw->channel], site_ids[rw->site], product_ids[rw->product],
                           segment_ids[rw->segment]};
    for (unsigned i = 0; i < 4; i++) {
        ob_put(ob, &sep, 1);
        ob_str(ob, cols[i]);
    }
    if (o->format == FMT_DEBUG) {
        ob_put(ob, &sep, 1);
        if (rw->kind < NSYM)
            ob_str(ob, symptoms[rw->kind].id);
        if (rw->second < NSYM) {
            ob_put(ob, ",", 1);
            ob_str(ob, symptoms[rw->second].id);
        }
    }
    ob_put(ob, &sep, 1);
    if (o->format == FMT_CSV)
        ob_csv_text(ob, t->buf, t->len);
    else
        ob_copy_text(ob, t->buf, t->len);
    ob_put(ob, "\n", 1);
}

/* A complaint the working fix prevented: a neutral message in its place (see FIX_CUT). */
static void prevent(text *t, row *rw, const options *o, const plan *p, unsigned w, uint64_t id)
{
    if (!o->scenarios || rw->site != SITE_LONDON_EAST || w < p->fix_week ||
        (rw->kind != S_ORDER_MIXUP && rw->second != S_ORDER_MIXUP))
        return;
    rng r = rng_keyed(o->seed ^ UINT64_C(0xf1c5), id);
    if (!rng_chance(&r, FIX_CUT))
        return;
    rw->kind = KIND_NOISE;
    rw->second = NSYM;
    t->len = 0;
    t->buf[0] = '\0';
    render(t, &r, rw, PICK(&r, ph_noise), 0);
}

static int write_weeks(obuf *ob, const options *o, const model *m, const plan *p)
{
    rec *recs = NULL, *tmp = NULL;
    size_t cap = 0;
    uint64_t id = 0;
    int status = 0;
    timetab tt;
    timetab_init(&tt);
    if (o->format == FMT_CSV)
        ob_str(ob, "id,received_at,channel,site,product,segment,body\n");
    for (unsigned w = 0; w < m->weeks; w++) {
        size_t n = 0;
        for (unsigned s = 0; s < NSITE; s++)
            for (unsigned k = 0; k < NKIND; k++)
                for (unsigned c = 0; c < NCHAN; c++)
                    n += m->count[cell(w, s, k, c)];
        if (n > cap) {
            free(recs);
            free(tmp);
            cap = n + n / 4;
            recs = malloc(cap * sizeof(*recs));
            tmp = malloc(cap * sizeof(*tmp));
            if (!recs || !tmp) {
                status = -1;
                break;
            }
        }
        rng r = rng_keyed(o->seed, UINT64_C(0x1000) + w);
        size_t at = 0;
        for (unsigned s = 0; s < NSITE; s++)
            for (unsigned k = 0; k < NKIND; k++)
                for (unsigned c = 0; c < NCHAN; c++)
                    for (uint32_t j = 0; j < m->count[cell(w, s, k, c)]; j++, at++)
                        recs[at] = (rec){draw_time(&r, &tt), (uint32_t)at, (uint8_t)s, (uint8_t)c,
                                         (uint8_t)k};
        sort_by_time(recs, tmp, n);
        char dates[7][11];
        long monday = cw_week_monday(o->start + (cw_week)w);
        for (unsigned d = 0; d < 7; d++) {
            int y;
            unsigned mo, da;
            cw_week_civil_from_days(&y, &mo, &da, monday + d);
            snprintf(dates[d], sizeof(dates[d]), "%04d-%02u-%02u", y, mo, da);
        }
        text t;
        for (size_t i = 0; i < n; i++) {
            row rw = {.site = recs[i].site, .channel = recs[i].channel, .kind = recs[i].kind};
            rw.product = pick_weighted(&r, product_mix, NPROD);
            rw.segment = pick_weighted(&r, segment_mix, NSEG);
            rw.item = rng_below(&r, 6);
            rw.ref = 100000 + rng_below(&r, 8900000);
            rw.price = draw_price(&r);
            compose(&t, &r, &rw);
            prevent(&t, &rw, o, p, w, id + 1);
            write_row(ob, o, ++id, dates[recs[i].sec / 86400u], recs[i].sec, &rw, &t);
        }
        if (ob->failed)
            break;
    }
    free(recs);
    free(tmp);
    return status;
}

static int write_exposure(const options *o, const model *m)
{
    FILE *f = fopen(o->exposure, "w");
    if (!f)
        return -1;
    rng r = rng_keyed(o->seed, UINT64_C(0xe4905e));
    for (unsigned w = 0; w < m->weeks; w++) {
        char monday[11];
        cw_week_format_monday(monday, sizeof(monday), o->start + (cw_week)w);
        for (unsigned s = 0; s < NSITE; s++) {
            /* Orders follow the site's size and the season: complaints per order stay stable. */
            double v = m->site_base[s] * ORDERS_PER_COMPLAINT * season(o->start + (cw_week)w) *
                       exp(0.03 * rng_normal(&r));
            fprintf(f, "%s\t%s\t%.0f\n", monday, site_ids[s], v);
        }
    }
    int bad = ferror(f);
    return fclose(f) == 0 && !bad ? 0 : -1;
}

static int write_truth(const options *o, const plan *p)
{
    FILE *f = fopen(o->truth, "w");
    if (!f)
        return -1;
    char first[16], last[16], a[16];
    cw_week_format_iso(first, sizeof(first), o->start);
    cw_week_format_iso(last, sizeof(last), o->start + (cw_week)o->weeks - 1);
    fputs("scenario,kind,symptom,area,site,channel,onset_week,end_week,magnitude\n", f);
    if (o->scenarios) {
        cw_week_format_iso(a, sizeof(a), o->start + (cw_week)p->drift_onset);
        fprintf(f, "leeds_order_mixup_drift,drift,order_mixup,process,leeds,,%s,%s,%.2f\n", a, last,
                DRIFT_RATE);
        cw_week_format_iso(a, sizeof(a), o->start + (cw_week)p->shift_onset);
        fprintf(f, "app_digital_shift,shift,digital_malfunction,technology,,app,%s,%s,%.1f\n", a,
                last, SHIFT_FACTOR);
        cw_week_format_iso(a, sizeof(a), o->start + (cw_week)p->spike_week);
        fprintf(f, "glasgow_delay_spike,spike,delay_wait,management,glasgow,,%s,%s,%.1f\n", a, a,
                SPIKE_FACTOR);
        /* Two recorded fixes from the same week: one cuts its target, one does nothing. */
        cw_week_format_iso(a, sizeof(a), o->start + (cw_week)p->fix_week);
        fprintf(
            f,
            "london_east_order_mixup_fix,fix_works,order_mixup,process,london_east,,%s,%s,%.2f\n",
            a, last, -FIX_CUT);
        fprintf(f,
                "manchester_discourtesy_fix,fix_none,discourtesy,engagement,manchester,,%s,%s,0\n",
                a, last);
    }
    fprintf(f, "bristol_discourtesy_stable,stable,discourtesy,engagement,bristol,,%s,%s,0\n", first,
            last);
    fprintf(f, "cardiff_quality_stable,stable,product_quality,standards,cardiff,,%s,%s,0\n", first,
            last);
    fprintf(f, "manchester_billing_stable,stable,billing_error,process,manchester,,%s,%s,0\n",
            first, last);
    int bad = ferror(f);
    return fclose(f) == 0 && !bad ? 0 : -1;
}

/* ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fputs("usage: gen_complaints [OPTIONS] > complaints.copy\n"
          "Deterministic sample complaints for public.complaints, with known scenarios.\n\n"
          "  --seed N          random seed (default 1)\n"
          "  --weeks N         weeks of history (default 78)\n"
          "  --start DATE      a day in the first week (YYYY-MM-DD or YYYY-Www; default "
          "2025-01-06)\n"
          "  --per-week N      mean complaints per week over all sites (default 800)\n"
          "  --rows N          exactly N rows in total (instead of --per-week)\n"
          "  --format F        copy (COPY text: id, received_at, channel, site, product,\n"
          "                    segment, body), csv (with header), lines (bodies only) or\n"
          "                    debug (copy with the intended symptoms before the body)\n"
          "  --truth FILE      write the injected scenarios as CSV\n"
          "  --exposure FILE   write orders per site and week (COPY text for public.exposure)\n"
          "  --scenarios S     default (drift, shift, spike, a fix that cuts order mix-ups\n"
          "                    at London East by 40 % and one that leaves discourtesy at\n"
          "                    Manchester as it was) or none\n"
          "Exit status: 0 ok, 64 usage, 71 out of memory, 74 write error.\n",
          f);
}

static int parse_u64(unsigned long long *out, const char *s, unsigned long long max)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_options(options *o, int argc, char **argv)
{
    static const struct option longs[] = {{"seed", required_argument, NULL, 's'},
                                          {"weeks", required_argument, NULL, 'w'},
                                          {"start", required_argument, NULL, 'S'},
                                          {"per-week", required_argument, NULL, 'p'},
                                          {"rows", required_argument, NULL, 'r'},
                                          {"format", required_argument, NULL, 'f'},
                                          {"truth", required_argument, NULL, 't'},
                                          {"exposure", required_argument, NULL, 'e'},
                                          {"scenarios", required_argument, NULL, 'x'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    *o = (options){.seed = 1, .weeks = 78, .per_week = 800.0, .scenarios = 1};
    const char *start = "2025-01-06";
    int per_week_given = 0, opt, li = 0;
    unsigned long long v;
    while ((opt = getopt_long(argc, argv, "h", longs, &li)) != -1) {
        switch (opt) {
        case 's':
            if (parse_u64(&v, optarg, UINT64_MAX) < 0)
                goto bad;
            o->seed = v;
            break;
        case 'w':
            if (parse_u64(&v, optarg, 2000) < 0 || v == 0)
                goto bad;
            o->weeks = (unsigned)v;
            break;
        case 'S':
            start = optarg;
            break;
        case 'p':
            if (parse_u64(&v, optarg, 10000000) < 0 || v == 0)
                goto bad;
            o->per_week = (double)v;
            per_week_given = 1;
            break;
        case 'r':
            if (parse_u64(&v, optarg, 2000000000) < 0 || v == 0)
                goto bad;
            o->rows = v;
            break;
        case 'f':
            if (strcmp(optarg, "copy") == 0)
                o->format = FMT_COPY;
            else if (strcmp(optarg, "lines") == 0)
                o->format = FMT_LINES;
            else if (strcmp(optarg, "csv") == 0)
                o->format = FMT_CSV;
            else if (strcmp(optarg, "debug") == 0)
                o->format = FMT_DEBUG;
            else
                goto bad;
            break;
        case 't':
            o->truth = optarg;
            break;
        case 'e':
            o->exposure = optarg;
            break;
        case 'x':
            if (strcmp(optarg, "default") == 0)
                o->scenarios = 1;
            else if (strcmp(optarg, "none") == 0)
                o->scenarios = 0;
            else
                goto bad;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "gen_complaints: error: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (per_week_given && o->rows) {
        fputs("gen_complaints: error: --rows and --per-week exclude each other\n", stderr);
        return -1;
    }
    /* A week's rows are sorted in memory: keep a week under ~10 M rows (~320 MB). */
    if (o->rows / o->weeks > 10000000) {
        fputs("gen_complaints: error: --rows: more than 10000000 rows per week; add --weeks\n",
              stderr);
        return -1;
    }
    cw_error err;
    cw_error_clear(&err);
    if (cw_week_parse(&o->start, start, &err) < 0) {
        fprintf(stderr, "gen_complaints: error: --start: %s\n", err.message);
        return -1;
    }
    return 0;
bad:
    fprintf(stderr, "gen_complaints: error: invalid value '%s' for --%s\n", optarg, longs[li].name);
    return -1;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_options(&o, argc, argv) < 0)
        return CW_EXIT_USAGE;
    plan p = make_plan(o.weeks);
    size_t ncells = (size_t)o.weeks * NSITE * NKIND * NCHAN;
    model m = {.weeks = o.weeks};
    m.lam = malloc(ncells * sizeof(*m.lam));
    m.count = malloc(ncells * sizeof(*m.count));
    obuf ob = {.f = stdout, .cap = 1u << 20};
    ob.buf = malloc(ob.cap);
    int status = CW_EXIT_OK;
    if (!m.lam || !m.count || !ob.buf || draw_counts(&m, &o, &p) < 0) {
        fputs("gen_complaints: error: out of memory\n", stderr);
        status = CW_EXIT_OSERR;
        goto done;
    }
    if (o.truth && write_truth(&o, &p) < 0) {
        fprintf(stderr, "gen_complaints: error: could not write %s\n", o.truth);
        status = CW_EXIT_IOERR;
        goto done;
    }
    /* Exposure first: a loader may read it once the row stream ends. */
    if (o.exposure && write_exposure(&o, &m) < 0) {
        fprintf(stderr, "gen_complaints: error: could not write %s\n", o.exposure);
        status = CW_EXIT_IOERR;
        goto done;
    }
    if (write_weeks(&ob, &o, &m, &p) < 0) {
        fputs("gen_complaints: error: out of memory\n", stderr);
        status = CW_EXIT_OSERR;
        goto done;
    }
    ob_flush(&ob);
    if (ob.failed || fflush(stdout) != 0 || ferror(stdout)) {
        fputs("gen_complaints: error: could not write the rows\n", stderr);
        status = CW_EXIT_IOERR;
    }
done:
    free(ob.buf);
    free(m.lam);
    free(m.count);
    return status;
}

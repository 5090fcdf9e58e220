import { AWS_PAUSE_LEVEL, AWS_REVIEW_LEVEL, Rate } from "../../modules/shared/rate";

describe("Rate.percent", () => {
  test.each([
    [5, 0.05],
    [2, 0.02],
    [0.1, 0.001],
    [0.05, 0.0005],
    [10, 0.1],
  ])("%p %% is the CloudWatch fraction %p exactly", (percent, fraction) => {
    expect(Rate.percent(percent).fraction).toBe(fraction);
  });

  test("keeps the percent it was given", () => {
    expect(Rate.percent(0.1).percent).toBe(0.1);
  });

  test("prints as percent", () => {
    expect(Rate.percent(5).toString()).toBe("5 %");
    expect(`${Rate.percent(0.1)}`).toBe("0.1 %");
  });

  test.each([0, 100, -1, 150, NaN, Infinity])("rejects %p, naming the value and the range", (value) => {
    expect(() => Rate.percent(value)).toThrow(`Rate.percent: got ${String(value)}; allowed: a percentage greater than 0 and less than 100 (5 means 5 %)`);
  });

  test("accepts values just inside the range", () => {
    expect(Rate.percent(0.0001).fraction).toBe(0.000001);
    expect(Rate.percent(99.9).fraction).toBe(0.999);
  });
});

describe("Rate.fraction", () => {
  test.each([
    [0.05, 5],
    [0.001, 0.1],
    [0.02, 2],
  ])("fraction %p is %p %%", (fraction, percent) => {
    expect(Rate.fraction(fraction).percent).toBe(percent);
  });

  test.each([0.05, 0.001, 0.0005, 0.02])("round-trips %p to the same fraction", (fraction) => {
    expect(Rate.fraction(fraction).fraction).toBe(fraction);
  });

  test.each([0, 1, -0.5, 5, NaN])("rejects %p, naming the value and the range", (value) => {
    expect(() => Rate.fraction(value)).toThrow(`Rate.fraction: got ${String(value)}; allowed: a number greater than 0 and less than 1 (0.05 means 5 %)`);
  });
});

describe("AWS levels", () => {
  test("review levels are 5 % bounce and 0.1 % complaint", () => {
    expect(AWS_REVIEW_LEVEL.bounce.fraction).toBe(0.05);
    expect(AWS_REVIEW_LEVEL.complaint.fraction).toBe(0.001);
  });

  test("pause levels are 10 % bounce and 0.5 % complaint", () => {
    expect(AWS_PAUSE_LEVEL.bounce.fraction).toBe(0.1);
    expect(AWS_PAUSE_LEVEL.complaint.fraction).toBe(0.005);
  });
});

test("Rate.fraction keeps whole percentages whole (0.07 is 7 %, not 7.000000000000001 %)", () => {
  expect(Rate.fraction(0.07).percent).toBe(7);
  expect(Rate.fraction(0.07).toString()).toBe("7 %");
});

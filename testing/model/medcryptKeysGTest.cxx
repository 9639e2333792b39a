#include "medcrypt/FeatureKeys.h"
#include <gtest/gtest.h>
TEST(Keys, InitialValueInsideUnitInterval)
{
  EXPECT_GT(medcrypt::InitialValueFromWord(0), 0.0);
  EXPECT_LT(medcrypt::InitialValueFromWord(~0ull), 1.0);
}

#include "core/generation/token_budget.h"

#include "core/error.h"

#include <algorithm>

namespace vora::core {

TokenBudget fitTokenBudget(int64_t promptTokens, int64_t contextTokens, int requestedNewTokens)
{
    require(requestedNewTokens >= 1, ErrorCode::InvalidArgument, "max new tokens must be at least 1");
    require(contextTokens >= 1, ErrorCode::InvalidArgument, "the model's context must hold at least 1 token");
    require(promptTokens < contextTokens, ErrorCode::InvalidArgument,
            "the prompt takes " + std::to_string(promptTokens) + " tokens, but the model's context holds "
                + std::to_string(contextTokens) + ": no room is left for an answer");
    TokenBudget budget;
    budget.promptTokens = promptTokens;
    budget.contextTokens = contextTokens;
    budget.requestedNewTokens = requestedNewTokens;
    budget.newTokens = static_cast<int>(std::min<int64_t>(requestedNewTokens, contextTokens - promptTokens));
    return budget;
}

StopCriteria withTokenBudget(StopCriteria stop, const TokenBudget& budget)
{
    stop.maxNewTokens = budget.newTokens;
    stop.minNewTokens = std::min(stop.minNewTokens, budget.newTokens);
    return stop;
}

std::string describeClampedBudget(const TokenBudget& budget)
{
    return "at most " + std::to_string(budget.newTokens) + " new tokens instead of "
        + std::to_string(budget.requestedNewTokens) + ": the prompt takes " + std::to_string(budget.promptTokens)
        + " of the model's " + std::to_string(budget.contextTokens) + "-token context";
}

} // namespace vora::core

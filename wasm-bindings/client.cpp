#include "client.h"

#include <emscripten.h>

#include <algorithm>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "pushsync/json_io.h"

namespace pushsync::wasm {

namespace {
constexpr std::size_t kKeptInputBytes = 1 << 20;
}  // namespace

Client::Client(emscripten::val on_effects, emscripten::val on_frame)
    : sockets_([this](std::span<const Input> inputs) { from_socket(inputs); }),
      on_effects_(std::move(on_effects)),
      on_frame_(std::move(on_frame)),
      // Once: asking embind per frame (typeOf, a string back across) was a measured per-frame cost.
      has_on_frame_(on_frame_.typeOf().as<std::string>() == "function") {}

double Client::now() const { return emscripten_get_now(); }

std::string Client::handle(const std::string& input_json) { return handle_text(input_json); }

double Client::input_buffer(double bytes) {
  input_.resize(static_cast<std::size_t>(bytes));
  return static_cast<double>(reinterpret_cast<std::uintptr_t>(input_.data()));
}

std::string Client::handle_buffer(double length) {
  std::string answer = handle_text(std::string_view(input_.data(), std::min(static_cast<std::size_t>(length), input_.size())));
  // A buffer that held one unusually large page is not kept for the life of the client.
  if (input_.size() > kKeptInputBytes) std::string().swap(input_);
  return answer;
}

std::string Client::handle_text(std::string_view input_json) {
  auto input = input_from_json(input_json);
  if (!input) {
    const nlohmann::json error = {{"type", "error"}, {"code", "bad_input"}, {"message", input.error().what}};
    return nlohmann::json::array({error}).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out = "[";
  run({&input.value(), 1}, out);
  return out + "]";
}

void Client::run(std::span<const Input> inputs, std::string& out) {
  while (!inputs.empty()) {
    busy_ = true;
    std::size_t taken = 0;
    Effects effects = engine_.handle_some(inputs, static_cast<Millis>(now()), taken);
    inputs = inputs.subspan(taken);
    Effects rest;
    for (auto& e : effects) {
      if (const auto* open = std::get_if<effect::OpenSocket>(&e)) {
        sockets_.open(open->socket, open->url);
      } else if (const auto* send = std::get_if<effect::SendFrame>(&e)) {
        sockets_.send(send->socket, send->text);
      } else if (const auto* close = std::get_if<effect::CloseSocket>(&e)) {
        sockets_.close(close->socket, close->code, close->reason);
      } else {
        rest.push_back(std::move(e));
      }
    }
    busy_ = false;
    append_effects_json(std::move(rest), out);
    // A socket that failed or closed synchronously is reported right after the input that made it
    // so, in the same answer.
    while (!deferred_.empty()) {
      Input next = std::move(deferred_.front());
      deferred_.pop_front();
      run({&next, 1}, out);
    }
  }
}

void Client::from_socket(std::span<const Input> inputs) {
  if (has_on_frame_) {
    for (const auto& input : inputs) {
      if (const auto* text = std::get_if<input::SocketText>(&input)) on_frame_(text->text);
    }
  }
  if (busy_) {
    for (const auto& input : inputs) deferred_.push_back(input);
    return;
  }
  // Always tell the host, even with no effects: the deadline may have moved. A socket event raised
  // while the host reads an answer (it never gives inputs then) would get a buffer of its own.
  std::string own;
  std::string& out = answering_ ? own : answer_;
  out.assign(1, '[');
  run(inputs, out);
  out += ']';
  const bool outer = answering_;
  answering_ = true;
  on_effects_(static_cast<double>(reinterpret_cast<std::uintptr_t>(out.data())), static_cast<double>(out.size()),
              next_deadline(), now(), engine_.loaded());
  answering_ = outer;
  // A rare huge answer (a reset that lists the whole store) is not kept for the next frame.
  constexpr std::size_t kKeptAnswerBytes = 64 * 1024;
  if (!outer && answer_.capacity() > kKeptAnswerBytes) std::string().swap(answer_);
}

}  // namespace pushsync::wasm

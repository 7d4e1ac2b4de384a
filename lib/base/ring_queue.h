// A first-in first-out queue on a ring of slots that grows but never shrinks, so a queue
// that fills and drains packet after packet stops allocating once it has seen its
// largest backlog (std::deque allocates and frees a block every few hundred bytes of
// elements as it moves).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace rtcstack::base {

template <class T>
class RingQueue {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  void push_back(T value) {
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_) % slots_.size()] = std::move(value);
    ++size_;
  }
  template <class... Args>
  void emplace_back(Args&&... args) {
    push_back(T(std::forward<Args>(args)...));
  }
  T& front() { return slots_[head_]; }
  const T& front() const { return slots_[head_]; }
  T& operator[](std::size_t index) { return slots_[(head_ + index) % slots_.size()]; }
  const T& operator[](std::size_t index) const { return slots_[(head_ + index) % slots_.size()]; }
  /// Removes the front element; its slot keeps the moved-from object (and any capacity
  /// it still holds) for reuse.
  void pop_front() {
    head_ = (head_ + 1) % slots_.size();
    --size_;
  }
  /// Keeps, in order, only the elements for which `keep` holds.
  template <class Keep>
  void retain(Keep&& keep) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < size_; ++i) {
      T& element = (*this)[i];
      if (keep(element)) {
        if (kept != i) (*this)[kept] = std::move(element);
        ++kept;
      }
    }
    size_ = kept;
  }

 private:
  void grow() {
    std::vector<T> larger(slots_.empty() ? 4 : slots_.size() * 2);  // an idle connection holds few
    for (std::size_t i = 0; i < size_; ++i) larger[i] = std::move((*this)[i]);
    slots_ = std::move(larger);
    head_ = 0;
  }

  std::vector<T> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace rtcstack::base

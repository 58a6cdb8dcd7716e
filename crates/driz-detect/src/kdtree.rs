//! scipy's `cKDTree(points, leafsize)` (balanced median splits, compact nodes) and its
//! k-nearest-neighbour query, reproduced so that neighbours at equal distances are chosen
//! as scipy chooses them (photutils' IDW refill of excluded background boxes depends on it:
//! on a regular mesh the 10th neighbour is usually one of several equidistant boxes).
//!
//! The median split uses libstdc++'s `std::nth_element` (introselect) and
//! `std::partition`, the heaps are scipy's own binary heaps.

#[derive(Clone, Debug)]
struct Node {
    split_dim: Option<usize>,
    split: f64,
    start: usize,
    end: usize,
    less: usize,
    greater: usize,
}

/// A 2-D k-d tree over `points`.
pub struct KdTree {
    points: Vec<[f64; 2]>,
    indices: Vec<usize>,
    nodes: Vec<Node>,
    mins: [f64; 2],
    maxes: [f64; 2],
}

fn move_median_to_first(v: &mut [usize], result: usize, a: usize, b: usize, c: usize, key: &dyn Fn(usize) -> f64) {
    let less = |i: usize, j: usize, v: &[usize]| key(v[i]) < key(v[j]);
    let pick = if less(a, b, v) {
        if less(b, c, v) {
            b
        } else if less(a, c, v) {
            c
        } else {
            a
        }
    } else if less(a, c, v) {
        a
    } else if less(b, c, v) {
        c
    } else {
        b
    };
    v.swap(result, pick);
}

fn unguarded_partition(
    v: &mut [usize],
    mut first: usize,
    mut last: usize,
    pivot: usize,
    key: &dyn Fn(usize) -> f64,
) -> usize {
    loop {
        while key(v[first]) < key(v[pivot]) {
            first += 1;
        }
        last -= 1;
        while key(v[pivot]) < key(v[last]) {
            last -= 1;
        }
        if first >= last {
            return first;
        }
        v.swap(first, last);
        first += 1;
    }
}

fn insertion_sort(v: &mut [usize], first: usize, last: usize, key: &dyn Fn(usize) -> f64) {
    if first == last {
        return;
    }
    for i in first + 1..last {
        let val = v[i];
        if key(val) < key(v[first]) {
            v.copy_within(first..i, first + 1);
            v[first] = val;
        } else {
            let mut hole = i;
            while key(val) < key(v[hole - 1]) {
                v[hole] = v[hole - 1];
                hole -= 1;
            }
            v[hole] = val;
        }
    }
}

/// libstdc++ `std::nth_element(first, nth, last, comp)` on `v`.
fn nth_element(v: &mut [usize], nth: usize, key: &dyn Fn(usize) -> f64) {
    let (mut first, mut last) = (0usize, v.len());
    if first == last || nth == last {
        return;
    }
    let mut depth = 2 * (usize::BITS - 1 - (last - first).leading_zeros()) as usize;
    while last - first > 3 {
        if depth == 0 {
            // libstdc++ falls back to heap selection; a full sort yields the same nth value
            let slice = &mut v[first..last];
            slice.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
            return;
        }
        depth -= 1;
        let mid = first + (last - first) / 2;
        move_median_to_first(v, first, first + 1, mid, last - 1, key);
        let cut = unguarded_partition(v, first + 1, last, first, key);
        if cut <= nth {
            first = cut;
        } else {
            last = cut;
        }
    }
    insertion_sort(v, first, last, key);
}

/// libstdc++ `std::partition` (bidirectional version); returns the partition point.
fn partition(v: &mut [usize], mut first: usize, mut last: usize, pred: &dyn Fn(usize) -> bool) -> usize {
    loop {
        loop {
            if first == last {
                return first;
            }
            if pred(v[first]) {
                first += 1;
            } else {
                break;
            }
        }
        last -= 1;
        loop {
            if first == last {
                return first;
            }
            if !pred(v[last]) {
                last -= 1;
            } else {
                break;
            }
        }
        v.swap(first, last);
        first += 1;
    }
}

impl KdTree {
    pub fn new(points: Vec<[f64; 2]>, leafsize: usize) -> KdTree {
        let n = points.len();
        let mut mins = [f64::INFINITY; 2];
        let mut maxes = [f64::NEG_INFINITY; 2];
        for p in &points {
            for d in 0..2 {
                mins[d] = mins[d].min(p[d]);
                maxes[d] = maxes[d].max(p[d]);
            }
        }
        let mut tree = KdTree { points, indices: (0..n).collect(), nodes: Vec::new(), mins, maxes };
        if n > 0 {
            tree.build(0, n, leafsize.max(1));
        }
        tree
    }

    fn build(&mut self, start: usize, end: usize, leafsize: usize) -> usize {
        let index = self.nodes.len();
        self.nodes.push(Node { split_dim: None, split: 0.0, start, end, less: 0, greater: 0 });
        if end - start <= leafsize {
            return index;
        }
        let Some((p, d, split)) = self.split_and_partition(start, end) else {
            return index;
        };
        let less = self.build(start, p, leafsize);
        let greater = self.build(p, end, leafsize);
        let node = &mut self.nodes[index];
        node.split_dim = Some(d);
        node.split = split;
        node.less = less;
        node.greater = greater;
        index
    }

    fn split_and_partition(&mut self, start: usize, end: usize) -> Option<(usize, usize, f64)> {
        let points = &self.points;
        let mut maxes = points[self.indices[start]];
        let mut mins = maxes;
        for &i in &self.indices[start + 1..end] {
            for dim in 0..2 {
                maxes[dim] = maxes[dim].max(points[i][dim]);
                mins[dim] = mins[dim].min(points[i][dim]);
            }
        }
        let mut d = 0;
        let mut size = 0.0;
        for dim in 0..2 {
            if maxes[dim] - mins[dim] > size {
                d = dim;
                size = maxes[dim] - mins[dim];
            }
        }
        if maxes[d] == mins[d] {
            return None;
        }
        let key = |i: usize| points[i][d];
        let slice = &mut self.indices[start..end];
        let n = end - start;
        let mid = n / 2;
        nth_element(slice, mid, &key);
        let mut split = key(slice[mid]);
        let mut p = start + partition(slice, 0, mid, &|i| key(i) < split);
        if p == start {
            let min_val = slice.iter().map(|&i| key(i)).fold(f64::INFINITY, f64::min);
            split = next_up(min_val);
            p = start + partition(slice, 0, n, &|i| key(i) < split);
        } else if p == end {
            let max_val = slice.iter().map(|&i| key(i)).fold(f64::NEG_INFINITY, f64::max);
            split = max_val;
            p = start + partition(slice, 0, n, &|i| key(i) < split);
        }
        if p == start || p == end {
            return None;
        }
        Some((p, d, split))
    }

    /// The `k` nearest points of `x`: (distance, point index), nearest first, in scipy's
    /// order.
    pub fn query(&self, x: [f64; 2], k: usize) -> Vec<(f64, usize)> {
        if self.nodes.is_empty() || k == 0 {
            return Vec::new();
        }
        struct Info {
            node: usize,
            side: [f64; 2],
            min_distance: f64,
        }
        let mut infos: Vec<Info> = Vec::new();
        let mut queue = Heap::default();
        let mut neighbours = Heap::default();
        let mut side = [0.0; 2];
        let mut min_distance = 0.0;
        for d in 0..2 {
            let mut s: f64 = 0.0;
            let t = x[d] - self.maxes[d];
            if t > s {
                s = t;
            } else {
                let t = self.mins[d] - x[d];
                if t > s {
                    s = t;
                }
            }
            let s2 = s * s;
            min_distance += s2 - side[d];
            side[d] = s2;
        }
        infos.push(Info { node: 0, side, min_distance });
        let mut current = 0usize;
        let mut bound = f64::INFINITY;
        loop {
            let node = &self.nodes[infos[current].node];
            match node.split_dim {
                None => {
                    for &i in &self.indices[node.start..node.end] {
                        let p = self.points[i];
                        let mut d = 0.0;
                        for dim in 0..2 {
                            let diff = p[dim] - x[dim];
                            d += diff * diff;
                        }
                        if d < bound {
                            if neighbours.len() == k {
                                neighbours.remove();
                            }
                            neighbours.push(-d, i);
                            if neighbours.len() == k {
                                bound = -neighbours.peek().0;
                            }
                        }
                    }
                    if queue.len() == 0 {
                        break;
                    }
                    current = queue.pop().1;
                }
                Some(d) => {
                    if infos[current].min_distance > bound {
                        break;
                    }
                    let (near, far, side_distance) = if x[d] < node.split {
                        (node.less, node.greater, node.split - x[d])
                    } else {
                        (node.greater, node.less, x[d] - node.split)
                    };
                    let mut far_info =
                        Info { node: far, side: infos[current].side, min_distance: infos[current].min_distance };
                    let s2 = side_distance * side_distance;
                    far_info.min_distance += s2 - far_info.side[d];
                    far_info.side[d] = s2;
                    infos[current].node = near;
                    let mut far_index = infos.len();
                    infos.push(far_info);
                    if infos[current].min_distance > infos[far_index].min_distance {
                        std::mem::swap(&mut current, &mut far_index);
                    }
                    if infos[far_index].min_distance <= bound {
                        queue.push(infos[far_index].min_distance, far_index);
                    }
                }
            }
        }
        let mut sorted = vec![(0.0, 0usize); neighbours.len()];
        for slot in (0..sorted.len()).rev() {
            let (priority, index) = neighbours.pop();
            sorted[slot] = ((-priority).sqrt(), index);
        }
        sorted
    }
}

fn next_up(v: f64) -> f64 {
    if v.is_nan() || v == f64::INFINITY {
        return v;
    }
    if v == 0.0 {
        return f64::from_bits(1);
    }
    let bits = v.to_bits();
    f64::from_bits(if v > 0.0 { bits + 1 } else { bits - 1 })
}

/// scipy's binary min-heap (strict comparisons, its own sift-down).
#[derive(Default)]
struct Heap {
    items: Vec<(f64, usize)>,
}

impl Heap {
    fn len(&self) -> usize {
        self.items.len()
    }
    fn peek(&self) -> (f64, usize) {
        self.items[0]
    }
    fn push(&mut self, priority: f64, value: usize) {
        self.items.push((priority, value));
        let mut i = self.items.len() - 1;
        while i > 0 && self.items[i].0 < self.items[(i - 1) / 2].0 {
            self.items.swap(i, (i - 1) / 2);
            i = (i - 1) / 2;
        }
    }
    fn remove(&mut self) {
        let last = self.items.len() - 1;
        self.items[0] = self.items[last];
        self.items.pop();
        let n = self.items.len();
        let (mut i, mut j, mut k) = (0, 1, 2);
        while (j < n && self.items[i].0 > self.items[j].0) || (k < n && self.items[i].0 > self.items[k].0) {
            let l = if k < n && self.items[j].0 > self.items[k].0 { k } else { j };
            self.items.swap(l, i);
            i = l;
            j = 2 * i + 1;
            k = 2 * i + 2;
        }
    }
    fn pop(&mut self) -> (f64, usize) {
        let top = self.items[0];
        self.remove();
        top
    }
}
